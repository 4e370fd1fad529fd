"""`xcnet assist …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("assist", help="assist records.")
