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
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from bot.runtime.settings import ConfigError, Settings
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


@dataclass(frozen=True)
class Hygiene:
    """How long a connection may keep a response unread, and how many requests it may queue meanwhile."""

    write_timeout: float
    max_pipeline: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "Hygiene":
        if settings.web_write_timeout_s <= 0 or settings.web_max_pipeline <= 0:
            raise ConfigError("WEB_WRITE_TIMEOUT_S and WEB_MAX_PIPELINE must be above zero")
        return cls(float(settings.web_write_timeout_s), settings.web_max_pipeline)


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, closing connections that keep no request going or read no response.

    aiohttp 3.9 keeps reading and queueing pipelined requests while a handler
    waits for the client to read its response, so a client that sends and
    never reads would grow the queue without end: past ``max_pipeline``
    queued requests the connection is read no more, and a response that no
    byte of is taken for ``write_timeout`` seconds ends it.
    """

    def __init__(
        self, manager: Server, *, counter: ConnectionCounter, hygiene: Hygiene, idle: float = IDLE_S, **kwargs: Any
    ) -> None:
        super().__init__(manager, **kwargs)
        self.counter = counter
        self.hygiene = hygiene
        self.idle = idle
        self.busy = 0
        self.idle_since = 0.0
        self.counted: Optional[str] = None
        self.check: Optional[asyncio.TimerHandle] = None
        # Since when the write buffer has not shrunk, and how full it was then.
        self.stalled_since: Optional[float] = None
        self.unsent = 0

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

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if len(self._messages) > self.hygiene.max_pipeline and self.transport is not None:
            # Requests past the bound are dropped unanswered; those queued are answered, then the connection ends.
            while len(self._messages) > self.hygiene.max_pipeline:
                self._messages.pop()
            self.transport.pause_reading()
            self.close()

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
        now = self._loop.time()
        if (not self.busy and now - self.idle_since > self.idle) or self._write_stalled(now):
            self._abort()
            return
        self.check = self._loop.call_later(CHECK_EVERY_S, self._check)

    def _write_stalled(self, now: float) -> bool:
        """Whether the client has taken no byte of what is waiting for it for ``write_timeout`` seconds."""
        assert self.transport is not None
        unsent = self.transport.get_write_buffer_size()
        if unsent == 0 or unsent < self.unsent:
            self.stalled_since = None
        elif self.stalled_since is None:
            self.stalled_since = now
        self.unsent = unsent
        return self.stalled_since is not None and now - self.stalled_since > self.hygiene.write_timeout

    def _abort(self) -> None:
        # close() would wait for a write buffer that a client that reads nothing never empties.
        if self.transport is not None:
            self.transport.abort()
        self.force_close()


class GuardedServer(Server):
    def __init__(self, *args: Any, counter: ConnectionCounter, hygiene: Hygiene, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counter = counter
        self.hygiene = hygiene

    def __call__(self) -> RequestHandler:
        return GuardedHandler(self, loop=self._loop, counter=self.counter, hygiene=self.hygiene, **self._kwargs)


class FrontRunner(web.AppRunner):
    """``web.AppRunner`` whose connections are guarded (``GuardedHandler``)."""

    def __init__(
        self, app: web.Application, *, counter: ConnectionCounter, hygiene: Optional[Hygiene] = None, **kwargs: Any
    ) -> None:
        super().__init__(app, **{**SERVER_OPTIONS, **kwargs})
        self.counter = counter
        self.hygiene = hygiene or Hygiene.from_settings(Settings())

    async def _make_server(self) -> Server:
        # The app's own server (start-up hooks run there), with guarded connections.
        server = await super()._make_server()
        return GuardedServer(
            server.request_handler, request_factory=server.request_factory, counter=self.counter,
            hygiene=self.hygiene, handler_cancellation=server.handler_cancellation, **server._kwargs,
        )


class Gate:
    """Caps what one kind of upstream connection (websockets, long-polls, requests) holds: per key and in total.

    Each kind has its own gate and its own share of the upstream pool, so no
    kind can take the connections the others need.
    """

    def __init__(self, per_key: int, total: int, what: str = "open connections") -> None:
        self.per_key = per_key
        self.total = total
        self.what = what
        self.open: Counter[str] = Counter()
        self.count = 0

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        if self.count >= self.total:
            raise EdgeError(503, f"too many {self.what}; try again later", retry_after=30)
        if self.open[key] >= self.per_key:
            raise EdgeError(429, f"too many {self.what} from this client", retry_after=30)
        self.open[key] += 1
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1
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
