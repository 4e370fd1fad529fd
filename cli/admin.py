"""`xcnet admin …`: upkeep of a node's local state."""

from __future__ import annotations

import click

from cli.output import Output, command, open_node
from node.errors import BadInput

group = click.Group("admin", help="Upkeep of this node's local state.")


@command(group, "rebuild")
@click.option("--view", "views", multiple=True, help="Rebuild only this read model (repeatable).")
def rebuild(views: tuple[str, ...]) -> Output:
    """Rebuild the read models from the log (screening index, assistance board, review status)."""
    with open_node() as node:
        unknown = sorted(set(views) - set(node.views.models))
        if unknown:
            raise BadInput(
                f"view {unknown[0]!r} is unknown: the read models are "
                + ", ".join(sorted(node.views.models)),
                field="view",
            )
        counts = node.views.rebuild(views)
    text = "\n".join(f"rebuilt {name}: {count} events applied" for name, count in counts.items())
    return Output({"rebuilt": counts}, text)
