"""The web front's state, kept in the app (``FRONT``, ``SESSION``), and its last floor: forwarding to a replica.

The checks before it are the floors of ``bot.web.pipeline``; nothing here calls back up to them.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping, Optional, Sequence, TypeVar

import aiohttp
from aiohttp import web

from bot.channels import platforms
from bot.channels.bodies import visitor_language
from bot.runtime.settings import ConfigError, Settings
from bot.web import proxy, widget
from bot.web.balance import SenderLocks, SocketSessions, Upstreams
from bot.web.edge import EdgeError, Limits, RateLimiter, bucket_key, client_address, parse_trusted_proxies
from bot.web.guard import Gate

# Platforms speak for many users from few addresses: a bucket this many times larger.
PLATFORM_FACTOR = 10
# How often the front asks each replica whether it can answer.
WATCH_INTERVAL_S = 1.0
RECHECK_GAP_S = 0.2
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=3)
Response = TypeVar("Response", bound=web.StreamResponse)


class Unavailable(Exception):
    """No replica can answer right now (one is restarting): the visitor is told so, politely."""


class Front:
    """The front's state: settings, limits, rate buckets, replicas and the socket.io sessions they hold."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.trusted_proxies = parse_trusted_proxies(settings.web_trusted_proxies)
        self.channels = connected_channels(settings.web_channels)
        self.visitors = RateLimiter(self.limits.rate_per_minute, self.limits.burst)
        self.platforms = RateLimiter(self.limits.rate_per_minute * PLATFORM_FACTOR, self.limits.burst * PLATFORM_FACTOR)
        # Polls, pings and pongs: what keeps a socket.io session alive rather than what a visitor says.
        self.background = RateLimiter(self.limits.background_rate_per_minute, self.limits.background_burst)
        self.upstreams = Upstreams(settings.rasa_urls)
        self.senders = SenderLocks()
        self.sockets = SocketSessions()
        # Each kind of upstream connection has its own cap, and its own share of the pool (`pool_size`).
        self.socket_gate = Gate(settings.web_max_sockets_per_address, settings.web_max_sockets, "open websockets")
        self.poll_gate = Gate(settings.web_max_polls_per_address, settings.web_max_polls, "waiting long-polls")
        # engine.io answers one waiting GET per session; more would each hold a connection for nothing.
        self.session_polls = Gate(1, settings.web_max_polls, "waiting long-polls")
        self.request_gate = Gate(
            settings.web_max_connections_per_address, settings.web_max_requests, "requests in progress"
        )
        self.socket_idle_s = float(settings.web_socket_idle_s)
        # Set when a request could not reach a replica: the watch probes at once instead of at its next turn.
        self.recheck = asyncio.Event()
        self.page = widget.page(settings.conversation_retention_days)
        self.widget_script = widget.widget_script(settings.conversation_retention_days)
        self.languages_script = widget.languages_script()
        # Whether each replica (by its Rasa URL) answered the last probe of both its servers.
        self.serving: dict[str, bool] = {url: True for url in settings.rasa_urls}

    # -- replicas ------------------------------------------------------------

    async def probe(self, session: aiohttp.ClientSession) -> tuple[list[bool], list[bool]]:
        """Whether each replica's Rasa, and each one's action server, answers."""
        replicas = self.settings.replicas()
        states = await asyncio.gather(
            *(_is_up(session, f"{r.rasa_url}/") for r in replicas),
            *(_is_up(session, f"{r.action_url}/health") for r in replicas),
        )
        rasa, actions = list(states[: len(replicas)]), list(states[len(replicas):])
        for replica, r, a in zip(replicas, rasa, actions):
            self.serving[replica.rasa_url] = r and a
            # Only the probe, never a visitor's request, marks a replica down or up.
            if r:
                self.upstreams.answered(replica.rasa_url)
            else:
                self.upstreams.failed(replica.rasa_url)
        return rasa, actions

    def pool_size(self) -> int:
        """Upstream connections: every kind's cap, and the probes' own two per replica."""
        s = self.settings
        return s.web_max_sockets + s.web_max_polls + s.web_max_requests + 2 * s.rasa_replicas

    async def first_answering(self, upstreams: Sequence[str], attempt: Callable[[str], Awaitable[Response]]) -> Response:
        for url in upstreams:
            if not self.serving.get(url, True):
                # Its Rasa or its action server is down: Rasa would take the message and answer nothing.
                continue
            try:
                return await attempt(url)
            except proxy.Unreachable:
                # Nothing came back: the next replica of the order gets the request, and the
                # watch looks at once whether this one is down. A request alone marks nothing:
                # a visitor could choose one that fails.
                self.recheck.set()
                continue
        raise Unavailable()

    async def forward(
        self,
        request: web.Request,
        body: bytes,
        upstreams: Sequence[str],
        on_answer: Optional[Callable[[bytes, str], object]] = None,
        gate: Optional[Gate] = None,
    ) -> web.Response:
        """The answer of the first of ``upstreams`` that can be reached (failover), within ``gate``'s share."""
        session = request.app[SESSION]

        async def send(url: str) -> web.Response:
            response = await proxy.forward(session, url, request, body)
            if on_answer is not None and response.status == 200 and isinstance(response.body, bytes):
                on_answer(response.body, url)
            return response

        with (gate or self.request_gate).hold(self.client_key(request)):
            return await self.first_answering(upstreams, send)

    async def forward_websocket(self, request: web.Request, watch: proxy.SocketWatch, gate: Gate) -> web.StreamResponse:
        """The visitor's websocket joined to one at the replica holding its session, within ``gate``'s share."""
        session = request.app[SESSION]
        with gate.hold(self.client_key(request)):
            try:
                return await self.first_answering(
                    self.socket_upstreams(request),
                    lambda url: proxy.forward_websocket(
                        session, url, request, self.limits.max_body_bytes, watch, self.socket_idle_s
                    ),
                )
            except proxy.Declined as declined:
                if declined.status >= 500:
                    raise Unavailable() from None
                raise EdgeError(declined.status, "the server declined this socket.io session") from None

    def socket_upstreams(self, request: web.Request) -> list[str]:
        """The replica holding the request's socket.io session; unknown sessions go where handshakes go."""
        known = self.sockets.upstream(request.query.get("sid", ""))
        return [known] if known else self.upstreams.fixed()

    # -- the visitor -----------------------------------------------------------

    def client_key(self, request: web.Request) -> str:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        return bucket_key(client_address(request.remote, forwarded, self.trusted_proxies))

    def language(self, request: web.Request, metadata: Optional[Mapping[str, Any]] = None) -> str:
        """The visitor's language: from the message's metadata, else the browser's Accept-Language."""
        return visitor_language(metadata, request.headers.get("Accept-Language", ""))


# The app's Front, for its handlers and whoever runs the app (`python -m bot.web` reads its trusted proxies).
FRONT = web.AppKey("front", Front)
# The client session every request to Rasa goes through, open while the app runs.
SESSION = web.AppKey("session", aiohttp.ClientSession)


async def client_session(app: web.Application) -> AsyncIterator[None]:
    # Bodies pass through as Rasa encoded them, so no decompression here. A
    # new loopback connection per request: reusing one Sanic is closing
    # (its keep-alive is 5 s) fails the request.
    # The pool holds every kind's cap (aiohttp's default of 100 let 100 idle websockets take it all).
    connector = aiohttp.TCPConnector(force_close=True, limit=app[FRONT].pool_size(), limit_per_host=0)
    app[SESSION] = aiohttp.ClientSession(auto_decompress=False, connector=connector)
    yield
    await app[SESSION].close()


async def replica_watch(app: web.Application) -> AsyncIterator[None]:
    # A message sent while its replica's action server is down would be taken
    # by Rasa and answered with nothing; the front says "unavailable" instead.
    front = app[FRONT]

    async def watch() -> None:
        while True:
            front.recheck.clear()
            await front.probe(app[SESSION])
            # However many requests fail, no more than one probe per RECHECK_GAP_S.
            await asyncio.sleep(RECHECK_GAP_S)
            try:
                await asyncio.wait_for(front.recheck.wait(), WATCH_INTERVAL_S - RECHECK_GAP_S)
            except asyncio.TimeoutError:
                pass

    watcher = asyncio.create_task(watch())
    yield
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)


def connected_channels(text: str) -> frozenset[str]:
    """The platforms named in WEB_CHANNELS ("rest,socketio,telegram") whose webhooks the front opens."""
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = names - platforms.NAMES
    if unknown:
        raise ConfigError(f"WEB_CHANNELS names unknown channels: {', '.join(sorted(unknown))}")
    return names


async def _is_up(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url, timeout=HEALTH_TIMEOUT) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False
