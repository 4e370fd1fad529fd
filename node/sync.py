"""Pulling from peers: signed long-poll requests, verified ingest, positions tracked per peer."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from yarl import URL

from node.ingest import IngestReport, ingest, tracked_position, verify_ahead
from node.peers import Peer
from node.service import Node
from protocol import canonical
from protocol.httpsig import DESTINATION, Request, content_digest, sign_request

log = logging.getLogger("xcnet.sync")
PAGE = 1000


class SyncError(Exception):
    """A peer that could not be reached or that refused us."""


@dataclass(slots=True)
class PeerProgress:
    peer: str
    position: int = 0
    head: int = 0
    accepted: int = 0
    duplicates: int = 0
    pending: int = 0
    refused: list[str] = field(default_factory=list)
    equivocations: int = 0
    seconds: float = 0.0

    def add(self, report: IngestReport) -> None:
        self.accepted += report.accepted
        self.duplicates += report.duplicates
        self.pending = report.pending
        self.equivocations += len(report.equivocations)
        self.refused.extend(
            f"{r.origin}/{r.aggregate}@{r.version}: {r.check}: {r.detail}" for r in report.refused
        )


class PeerClient:
    """Signed requests to one peer's federation API."""

    def __init__(self, node: Node, peer: Peer, session: aiohttp.ClientSession) -> None:
        self.node, self.peer, self.session = node, peer, session

    async def get(self, path: str, timeout: float = 10.0) -> dict[str, object]:
        target = f"{self.peer.url}/federation/v1/{path}"
        headers = {DESTINATION: self.peer.node_id, "content-digest": content_digest(b"")}
        headers |= sign_request(
            Request("GET", target, headers),
            self.node.node_key,
            created=int(time.time()),
            nonce=secrets.token_urlsafe(16),
        )
        ssl: aiohttp.Fingerprint | bool = (
            aiohttp.Fingerprint(bytes.fromhex(self.peer.tls))
            if self.peer.url.startswith("https")
            else False
        )
        try:
            async with self.session.get(
                URL(target, encoded=True),
                headers=headers,
                ssl=ssl,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                body = await response.read()
        except aiohttp.ServerFingerprintMismatch:
            raise SyncError(
                f"{self.peer.node_id} at {self.peer.url}: its TLS certificate is not the pinned one "
                "(--tls-cert fingerprint mismatch); refusing to talk"
            ) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SyncError(
                f"{self.peer.node_id} at {self.peer.url}: {error or type(error).__name__}"
            ) from None
        try:
            value = canonical.decode(body)
        except Exception:
            raise SyncError(
                f"{self.peer.node_id} answered {response.status} with no xcnet document"
            ) from None
        if not isinstance(value, dict):
            raise SyncError(f"{self.peer.node_id} answered with an unexpected document")
        if response.status != 200:
            raise SyncError(f"{self.peer.node_id} refused the request: {value.get('error')}")
        return value

    async def fetch_page(self, after: int, *, wait: int = 0) -> Page:
        """One page of the peer's log after `after` (records not yet checked)."""
        page = await self.get(f"log?after={after}&limit={PAGE}&wait={wait}", timeout=wait + 15)
        records, position, head = page.get("records"), page.get("next"), page.get("head")
        if (
            not isinstance(records, list)
            or not isinstance(position, int)
            or not isinstance(head, int)
        ):
            raise SyncError(f"{self.peer.node_id} sent a malformed log page")
        envelopes = [
            r[1] for r in records if isinstance(r, list) and len(r) == 2 and isinstance(r[1], bytes)
        ]
        return Page(after, envelopes, max(position, after), head)

    async def fetch_ahead(self, pool: ThreadPoolExecutor, after: int, *, wait: int = 0) -> Page:
        """The page after `after`, its signatures verified (on the other cores, while this
        node ingests the page before it)."""
        page = await self.fetch_page(after, wait=wait)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(pool, verify_ahead, self.node, page.envelopes)
        return page

    async def pages(
        self, pool: ThreadPoolExecutor, *, wait: int = 0
    ) -> AsyncGenerator[tuple[IngestReport, int, int]]:
        """Ingest the peer's log page by page; yields (report, position now, the peer's head).

        The next page is fetched and its signatures verified while this one is ingested (the
        peer builds it meanwhile, and verification leaves the interpreter to libsodium). It is
        used only if it starts where this node's tracked position for the peer now stands: a
        concurrent pull by another process makes it fetch again from there.
        """
        loop = asyncio.get_running_loop()
        peer = self.peer.node_id
        ahead: asyncio.Task[Page] | None = None
        try:
            while True:
                after = await loop.run_in_executor(pool, tracked_position, self.node, peer)
                page = await ahead if ahead is not None else None
                if page is None or page.after != after:
                    page = await self.fetch_page(after, wait=wait)
                ahead = (
                    asyncio.create_task(self.fetch_ahead(pool, page.position, wait=wait))
                    if page.position < page.head
                    else None
                )
                report = await loop.run_in_executor(
                    pool,
                    functools.partial(
                        ingest, self.node, page.envelopes, source=peer, position=page.position
                    ),
                )
                yield report, page.position, page.head
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, SyncError):
                    await ahead


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a peer's log as received: where it starts, its records, where it ends."""

    after: int
    envelopes: list[bytes]
    position: int
    head: int


async def pull_until_current(
    node: Node,
    peers: list[Peer],
    pool: ThreadPoolExecutor,
    on_page: Callable[[PeerProgress], None] = lambda progress: None,
) -> dict[str, PeerProgress | str]:
    """Pull from each peer until its log is exhausted, then bring the read models up to date; a
    peer that fails is reported, not fatal."""
    results: dict[str, PeerProgress | str] = {}
    async with aiohttp.ClientSession() as session:
        for peer in peers:
            progress = PeerProgress(peer.node_id)
            started = time.perf_counter()
            try:
                async with contextlib.aclosing(
                    PeerClient(node, peer, session).pages(pool)
                ) as pages:
                    async for report, progress.position, progress.head in pages:
                        progress.add(report)
                        on_page(progress)
                        if progress.position >= progress.head:
                            break
            except SyncError as error:
                results[peer.node_id] = str(error)
                continue
            progress.seconds = time.perf_counter() - started
            results[peer.node_id] = progress
    await asyncio.get_running_loop().run_in_executor(pool, node.catch_up_views)
    return results


async def follow(
    node: Node, peer: Peer, pool: ThreadPoolExecutor, session: aiohttp.ClientSession
) -> None:
    """Keep pulling from one peer, long-polling so that new records arrive in well under a second."""
    client = PeerClient(node, peer, session)
    backoff = 0.2
    while True:
        try:
            async with contextlib.aclosing(client.pages(pool, wait=20)) as pages:
                async for report, _, _ in pages:
                    for refusal in report.refused:
                        log.warning("refused a record from %s: %s", peer.node_id, refusal)
                    if report.equivocations:
                        log.error(
                            "EQUIVOCATION detected via %s: %s", peer.node_id, report.equivocations
                        )
                    backoff = 0.2
        except SyncError as error:
            log.info("sync with %s: %s (retrying in %.1f s)", peer.node_id, error, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 3.0)


def sync_in_background(
    node: Node, pool: ThreadPoolExecutor, rescan: float = 2.0
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that follows every peer with a URL, picking up `peer add/remove` as they happen."""

    async def supervise() -> None:
        tasks: dict[Peer, asyncio.Task[None]] = {}
        async with aiohttp.ClientSession() as session:
            try:
                while True:
                    wanted = {p for p in node.peers().values() if p.url}
                    for peer in set(tasks) - wanted:
                        tasks.pop(peer).cancel()
                    for peer in wanted - set(tasks):
                        tasks[peer] = asyncio.create_task(follow(node, peer, pool, session))
                    await asyncio.sleep(rescan)
            finally:
                for task in tasks.values():
                    task.cancel()

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(supervise())
        yield
        task.cancel()

    return context
