"""`xcnet assessment …` (work in progress)."""

from __future__ import annotations

import click

group = click.Group("assessment", help="assessment records.")
