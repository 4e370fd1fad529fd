"""`xcnet group …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("group", help="group records.")
