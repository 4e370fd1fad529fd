"""The federation server: signed requests in, audience-filtered log pages out (docs/PROTOCOL.md §5)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiohttp import web

from node.replication import page_for
from node.service import Node
from node.sync import sync_in_background
from protocol import canonical
from protocol.errors import RequestRefused
from protocol.httpsig import Request, verify_request

log = logging.getLogger("xcnet.server")

PREFIX = "/federation/v1"
MEDIA_TYPE = "application/vnd.xcnet+msgpack"
MAX_PAGE = 2000
MAX_WAIT = 30.0

NODE = web.AppKey("node", Node)
POOL = web.AppKey("pool", ThreadPoolExecutor)
CALLER = "xcnet.caller"
_T = TypeVar("_T")


async def in_pool(app: web.Application, function: Callable[[], _T]) -> _T:
    """Run a blocking store call on the bounded thread pool."""
    return await asyncio.get_running_loop().run_in_executor(app[POOL], function)


class LogWatcher:
    """Wakes long-polling callers when the log grows (whoever wrote to it: server, sync or CLI)."""

    def __init__(self) -> None:
        self.head = 0
        self.closing = False
        self.changed = asyncio.Condition()

    async def close(self) -> None:
        """Release every long poll at once, so that shutdown does not wait for them."""
        self.closing = True
        async with self.changed:
            self.changed.notify_all()

    async def run(self, app: web.Application, interval: float = 0.05) -> None:
        recorder = app[NODE].app.process_recorder
        while True:
            head = await in_pool(app, lambda: recorder.max_notification_id() or 0)
            if head != self.head:
                self.head = head
                async with self.changed:
                    self.changed.notify_all()
            await asyncio.sleep(interval)

    async def wait_beyond(self, head: int, timeout: float) -> None:
        async with self.changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.changed.wait_for(lambda: self.head > head or self.closing), timeout
                )


async def keep_views(app: web.Application) -> None:
    """Catch the read models up whenever the log grows. Ingest leaves them to this task, so a
    page is stored without waiting for them; a query catches up first in any case. On
    shutdown the catch-up stops between pages instead of holding the server open."""
    watcher, node = app[WATCHER], app[NODE]
    seen = -1
    while not watcher.closing:
        await watcher.wait_beyond(seen, timeout=60)
        seen = watcher.head
        await in_pool(app, functools.partial(node.catch_up_views, lambda: watcher.closing))


class NonceCache:
    """Nonces seen within the ±300 s window, so a captured request cannot be replayed."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def fresh(self, nonce: str, expires: int) -> bool:
        now = int(time.time())
        if len(self.seen) > 10_000:
            self.seen = {n: e for n, e in self.seen.items() if e >= now}
        if nonce in self.seen and self.seen[nonce] >= now:
            return False
        self.seen[nonce] = expires
        return True


WATCHER = web.AppKey("watcher", LogWatcher)
NONCES = web.AppKey("nonces", NonceCache)


def msgpack_response(value: object, status: int = 200) -> web.Response:
    return web.Response(body=canonical.encode(value), status=status, content_type=MEDIA_TYPE)


@web.middleware
async def authenticate(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every federation request must carry a valid RFC 9421 signature from a pinned peer."""
    if not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    node = request.app[NODE]
    body = await request.read()
    headers = {name.lower(): value for name, value in request.headers.items()}
    signed = Request(request.method, str(request.url), headers, body)
    peers = node.peers()
    try:
        caller = verify_request(
            signed,
            destination=node.config.node_id,
            now=int(time.time()),
            keys=lambda key: next((p.node_id for p in peers.values() if p.pins(key)), None),
            fresh_nonce=request.app[NONCES].fresh,
        )
    except RequestRefused as refused:
        log.warning("refused %s %s: %s (%s)", request.method, request.path, refused.code, refused)
        return msgpack_response({"error": refused.code, "message": "request refused"}, 401)
    request[CALLER] = caller
    return await handler(request)


async def health(request: web.Request) -> web.Response:
    node = request.app[NODE]
    return web.json_response(
        {"ok": True, "node_id": node.config.node_id, "head": request.app[WATCHER].head}
    )


async def info(request: web.Request) -> web.Response:
    node = request.app[NODE]
    roster = await in_pool(request.app, node.roster)
    return msgpack_response(
        {
            "node_id": node.config.node_id,
            "name": roster.name,
            "network": node.config.network,
            "key": node.node_key.public_key,
            "protocol": 1,
        }
    )


def _int_param(request: web.Request, name: str, default: int, upper: int) -> int:
    raw = request.query.get(name, str(default))
    if not raw.isdigit():
        raise web.HTTPBadRequest(text=f"{name} is a non-negative integer")
    return min(int(raw), upper)


async def log_page(request: web.Request) -> web.Response:
    """Records after `after` that the caller may receive; with `wait`, hold until there are some."""
    app, caller = request.app, request[CALLER]
    after = _int_param(request, "after", 0, 2**63)
    limit = max(1, _int_param(request, "limit", 500, MAX_PAGE))
    wait = min(float(_int_param(request, "wait", 0, int(MAX_WAIT))), MAX_WAIT)
    node = app[NODE]
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        page = await in_pool(app, functools.partial(page_for, node, caller, after, limit))
        remaining = deadline - asyncio.get_running_loop().time()
        if page.records or remaining <= 0 or app[WATCHER].closing:
            break
        after = page.next
        await app[WATCHER].wait_beyond(page.head, remaining)
    return msgpack_response(
        {
            "records": [[position, state] for position, state in page.records],
            "next": page.next,
            "head": page.head,
        }
    )


def create_app(
    node: Node, *, workers: int = 4, follow_peers: bool = True, keep_views_current: bool = True
) -> web.Application:
    """The federation server for one node; with `follow_peers`, it also pulls from every peer;
    with `keep_views_current`, it catches the read models up whenever the log grows."""
    app = web.Application(middlewares=[authenticate], client_max_size=1024**2)
    app[NODE] = node
    app[POOL] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xcnet-store")
    app[WATCHER] = LogWatcher()
    app[NONCES] = NonceCache()

    async def watch(app: web.Application) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(app[WATCHER].run(app))]
        if keep_views_current:
            tasks.append(asyncio.create_task(keep_views(app)))
        yield
        for task in tasks:
            task.cancel()
        app[POOL].shutdown(wait=True, cancel_futures=True)

    app.cleanup_ctx.append(watch)

    async def release_long_polls(app: web.Application) -> None:
        await app[WATCHER].close()

    app.on_shutdown.append(release_long_polls)
    if follow_peers:
        app.cleanup_ctx.append(sync_in_background(node, app[POOL]))
    app.router.add_get("/health", health)
    app.router.add_get(PREFIX + "/info", info)
    app.router.add_get(PREFIX + "/log", log_page)
    return app


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
