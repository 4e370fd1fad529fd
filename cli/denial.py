"""`xcnet denial …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("denial", help="denial records.")
