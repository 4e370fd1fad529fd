"""Federation commands: serve, sync, peer, audit."""

from __future__ import annotations

import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import click

from cli.output import Output, command, home_path, open_node
from node.errors import BadInput
from node.ingest import tracked_position
from node.peers import is_loopback, load_peers, make_peer, save_peers


@command(None, "serve")
@click.option(
    "--listen", default="127.0.0.1:8700", show_default=True, help="HOST:PORT to listen on."
)
@click.option(
    "--tls/--no-tls", default=None, help="TLS with the node's certificate (always on off loopback)."
)
@click.option("--no-sync", is_flag=True, help="Serve only; do not pull from peers.")
@click.option(
    "--no-views",
    is_flag=True,
    help="Do not keep the read models current in the background (queries still catch up first).",
)
def serve(listen: str, tls: bool | None, no_sync: bool, no_views: bool) -> Output:
    """Run the federation server, and keep pulling from every peer."""
    from aiohttp import web  # the server stack loads only for the commands that use it

    from node.server import create_app
    from node.tls import server_context

    host, _, port_text = listen.rpartition(":")
    if not host or not port_text.isdigit():
        raise BadInput(f"--listen {listen!r} is not HOST:PORT", field="listen")
    loopback = is_loopback(host)
    if tls is False and not loopback:
        raise BadInput(f"--listen {host}: plain HTTP is only allowed on loopback", field="listen")
    use_tls = tls if tls is not None else not loopback
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    node = open_node()
    app = create_app(node, follow_peers=not no_sync, keep_views_current=not no_views)
    scheme = "https" if use_tls else "http"
    print(
        f"xcnet node {node.config.node_id} serving on {scheme}://{host}:{port_text}",
        file=sys.stderr,
        flush=True,
    )
    try:
        web.run_app(
            app,
            host=host,
            port=int(port_text),
            ssl_context=server_context(node.config.home) if use_tls else None,
            print=None,
            handle_signals=True,
            shutdown_timeout=2.0,
        )
    finally:
        node.close()
    return Output({"stopped": True}, "")


@command(None, "sync")
@click.option("--peer", "peer_ids", multiple=True, help="Only these peers (repeatable).")
@click.option(
    "--once", is_flag=True, help="Pull until current, then stop (default: keep following)."
)
def sync(peer_ids: tuple[str, ...], once: bool) -> Output:
    """Pull records from peers now."""
    from node.server import create_app
    from node.sync import pull_until_current

    with open_node() as node:
        peers = [
            p for p in node.peers().values() if p.url and (not peer_ids or p.node_id in peer_ids)
        ]
        unknown = set(peer_ids) - {p.node_id for p in peers}
        if unknown:
            raise BadInput(f"no peer with a URL named {', '.join(sorted(unknown))}", field="peer")
        if not once:
            app = create_app(node)
            logging.basicConfig(level=logging.INFO, stream=sys.stderr)
            asyncio.run(_follow_only(app))
        bar = _ProgressBar() if sys.stderr.isatty() else None
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = asyncio.run(
                pull_until_current(node, peers, pool, bar.update if bar else lambda p: None)
            )
        if bar:
            bar.close()
    data: dict[str, object] = {}
    lines = []
    failed = False
    for peer, result in results.items():
        if isinstance(result, str):
            failed = True
            data[peer] = {"error": result}
            lines.append(f"{peer}: FAILED {result}")
            continue
        data[peer] = {
            "position": result.position,
            "head": result.head,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "pending": result.pending,
            "refused": result.refused,
            "equivocations": result.equivocations,
            "seconds": round(result.seconds, 3),
        }
        lines.append(
            f"{peer}: +{result.accepted} records (position {result.position}/{result.head}"
            f", {result.duplicates} already held, {result.pending} waiting, {len(result.refused)} refused)"
        )
        lines.extend(f"  refused {r}" for r in result.refused)
    return Output(data, "\n".join(lines) or "no peers to sync with", 1 if failed else 0)


async def _follow_only(app: Any) -> None:
    from aiohttp import web

    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


class _ProgressBar:
    """A click progress bar over the records a peer has for us."""

    def __init__(self) -> None:
        self.bars: dict[str, object] = {}

    def update(self, progress: Any) -> None:
        if progress.head - progress.position < 1000 and progress.peer not in self.bars:
            return
        bar = self.bars.get(progress.peer)
        if bar is None:
            bar = click.progressbar(
                length=progress.head, label=f"sync {progress.peer}", file=sys.stderr
            )
            bar.__enter__()
            self.bars[progress.peer] = bar
        bar.update(progress.position - bar.pos)  # type: ignore[attr-defined]

    def close(self) -> None:
        for bar in self.bars.values():
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]


peer = click.Group("peer", help="Known peers: explicit trust, like SSH known hosts.")


@command(peer, "add")
@click.argument("url", required=False, default="")
@click.option("--node-id", required=True, help="The peer's node id.")
@click.option(
    "--key", required=True, help="The peer's node key fingerprint (from its `xcnet identity`)."
)
@click.option(
    "--tls-cert", "tls_cert", default="", help="SHA-256 of the peer's TLS certificate (https only)."
)
def peer_add(url: str, node_id: str, key: str, tls_cert: str) -> Output:
    """Pin a peer (with a URL to pull from; without one, a member known only through relays)."""
    home = home_path()
    with open_node() as node:
        if node_id == node.config.node_id:
            raise BadInput("--node-id is this node's own id", field="node_id")
    entry = make_peer(node_id, key, url, tls_cert)
    peers = load_peers(home)
    if node_id in peers and peers[node_id].key != entry.key:
        raise BadInput(
            f"{node_id} is already pinned to another key: `xcnet peer remove {node_id}` first if it really changed",
            field="key",
        )
    peers[node_id] = entry
    save_peers(home, peers)
    return Output(
        {"node_id": node_id, "url": entry.url, "key": entry.key, "tls": entry.tls},
        f"pinned {node_id} {entry.url}".rstrip(),
    )


@command(peer, "list")
def peer_list() -> Output:
    """Pinned peers, how far we have pulled from each, and any equivocation seen."""
    with open_node() as node:
        flagged = {
            row[0]: row[1]
            for row in node.sidecar.query(
                "SELECT origin, count(*) FROM {t}xcnet_equivocations GROUP BY origin"
            )
        }
        rows = [
            {
                "node_id": p.node_id,
                "url": p.url,
                "key": p.key,
                "tls": p.tls,
                "position": tracked_position(node, p.node_id),
                "records": sum(1 for _ in node.log(origin=p.node_id)),
                "equivocations": int(flagged.get(p.node_id, 0)),
            }
            for p in node.peers().values()
        ]
    text = "\n".join(
        f"{r['node_id']:10} {r['url'] or '(relay only)':28} position {r['position']:<8} records {r['records']:<8}"
        + (f" EQUIVOCATED x{r['equivocations']}" if r["equivocations"] else "")
        for r in rows
    )
    return Output(
        rows, text or "no peers: add one with `xcnet peer add URL --node-id ID --key FINGERPRINT`"
    )


@command(peer, "remove")
@click.argument("node_id")
def peer_remove(node_id: str) -> Output:
    """Forget a peer: stop pulling from it (records already held stay)."""
    home = home_path()
    peers = load_peers(home)
    if node_id not in peers:
        raise BadInput(f"no peer {node_id!r}", field="node_id")
    del peers[node_id]
    save_peers(home, peers)
    return Output({"removed": node_id}, f"removed {node_id}")


audit = click.Group("audit", help="Who has seen what.")


@command(audit, "access")
@click.option("--record", "record", help="Aggregate id (or unique prefix) of one record.")
def audit_access(record: str | None) -> Output:
    """Every record this node served: to which peer, which version, when."""
    with open_node() as node:
        if record:
            rows = node.sidecar.query(
                "SELECT peer, aggregate, version, served FROM {t}xcnet_access WHERE aggregate LIKE ? ORDER BY served",
                (record + "%",),
            )
        else:
            rows = node.sidecar.query(
                "SELECT peer, aggregate, version, served FROM {t}xcnet_access ORDER BY served"
            )
    entries = [
        {
            "peer": peer_id,
            "record": aggregate,
            "version": version,
            "served_at": datetime.fromtimestamp(served / 1e6, UTC).isoformat(timespec="seconds"),
        }
        for peer_id, aggregate, version, served in rows
    ]
    text = "\n".join(
        f"{e['served_at']} {e['peer']:10} {e['record']} v{e['version']}" for e in entries
    )
    return Output(entries, text or "nothing served yet")
