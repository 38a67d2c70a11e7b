"""Connection hygiene: what aiohttp 3.9 leaves open to anyone who connects and then waits.

aiohttp has no timeout for reading a request's headers, so a connection that
sends nothing, or half a request, is kept forever. ``GuardedHandler`` gives
every connection a deadline whenever no request of it is being handled, caps
the connections one address may hold, and the front's runner reads bodies as
they come (no inflating: see ``SERVER_OPTIONS``). Websockets are capped per
address and in total by ``SocketGate``; their heartbeat and idle timeout are
in ``bot.web.proxy``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from bot.web.edge import EdgeError, Network, bucket_key

log = logging.getLogger(__name__)

# A connection with no request being handled is closed after this long:
# headers must be complete by then, and keep-alive ends.
IDLE_S = 20.0
CHECK_EVERY_S = 2.0
# Request handler options: bodies are read as sent, never inflated by aiohttp.
SERVER_OPTIONS: dict[str, Any] = {"auto_decompress": False, "keepalive_timeout": IDLE_S}


class ConnectionCounter:
    """Open connections per client address (IPv6 by /64), with trusted proxies exempt."""

    def __init__(self, per_address: int, trusted: tuple[Network, ...] = ()) -> None:
        self.per_address = per_address
        self.trusted = trusted
        self.open: Counter[str] = Counter()

    def enter(self, peer: Optional[str]) -> Optional[str]:
        """The key counted for ``peer``, or None when that address holds too many connections already."""
        key = bucket_key(peer or "unknown")
        if self.open[key] >= self.per_address and not self._trusted(peer):
            return None
        self.open[key] += 1
        return key

    def leave(self, key: str) -> None:
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]

    def _trusted(self, peer: Optional[str]) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.trusted)


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, closing connections that keep no request going."""

    def __init__(self, manager: Server, *, counter: ConnectionCounter, idle: float = IDLE_S, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.counter = counter
        self.idle = idle
        self.busy = 0
        self.idle_since = 0.0
        self.counted: Optional[str] = None
        self.check: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self.counted = self.counter.enter(peer[0] if peer else None)
        if self.counted is None:
            self.force_close()
            return
        self.idle_since = self._loop.time()
        self.check = self._loop.call_later(CHECK_EVERY_S, self._check)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if self.check is not None:
            self.check.cancel()
        if self.counted is not None:
            self.counter.leave(self.counted)
            self.counted = None
        super().connection_lost(exc)

    async def _handle_request(self, request: Any, start_time: float, request_handler: Any) -> Any:
        self.busy += 1
        try:
            return await super()._handle_request(request, start_time, request_handler)
        finally:
            self.busy -= 1
            self.idle_since = self._loop.time()

    def _check(self) -> None:
        if self.transport is None:
            return
        if not self.busy and self._loop.time() - self.idle_since > self.idle:
            self.force_close()
            return
        self.check = self._loop.call_later(CHECK_EVERY_S, self._check)


class GuardedServer(Server):
    def __init__(self, *args: Any, counter: ConnectionCounter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counter = counter

    def __call__(self) -> RequestHandler:
        return GuardedHandler(self, loop=self._loop, counter=self.counter, **self._kwargs)


class FrontRunner(web.AppRunner):
    """``web.AppRunner`` whose connections are guarded (``GuardedHandler``)."""

    def __init__(self, app: web.Application, *, counter: ConnectionCounter, **kwargs: Any) -> None:
        super().__init__(app, **{**SERVER_OPTIONS, **kwargs})
        self.counter = counter

    async def _make_server(self) -> Server:
        # The app's own server (start-up hooks run there), with guarded connections.
        server = await super()._make_server()
        return GuardedServer(
            server.request_handler, request_factory=server.request_factory, counter=self.counter,
            handler_cancellation=server.handler_cancellation, **server._kwargs,
        )


class SocketGate:
    """Caps the websockets open at once: per client address and in total."""

    def __init__(self, per_address: int, total: int) -> None:
        self.per_address = per_address
        self.total = total
        self.open: Counter[str] = Counter()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        if sum(self.open.values()) >= self.total:
            raise EdgeError(503, "too many open connections; try again later", retry_after=30)
        if self.open[key] >= self.per_address:
            raise EdgeError(429, "too many open connections from this address", retry_after=30)
        self.open[key] += 1
        try:
            yield
        finally:
            self.open[key] -= 1
            if not self.open[key]:
                del self.open[key]


def raise_open_file_limit() -> int:
    """Lifts the soft open-file limit to the hard one: each held connection is a file. Returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit above %d", soft)
    return soft
