"""`xcnet review …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("review", help="review records.")
