"""`xcnet consult …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("consult", help="consult records.")
