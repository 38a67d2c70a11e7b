"""The aiohttp application of the web front: routes, edge checks, security headers."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Optional, Sequence, TypeVar

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.web import proxy
from bot.web.balance import SenderLocks, SocketSessions, Upstreams, platform_key
from bot.web.edge import (
    EdgeError, Limits, RateLimiter, RestMessage, client_address, load_messages, parse_rest_message,
    parse_trusted_proxies, visitor_language,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
REST_WEBHOOK = "/webhooks/rest/webhook"
# Channels whose traffic comes from a browser; any other channel's comes from a
# platform (Telegram, Slack, ...) that speaks for many users from few addresses.
VISITOR_CHANNELS = frozenset({"rest", "socketio"})
PLATFORM_FACTOR = 10
# The socket.io event names set in credentials.yml.
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=3)
Answer = TypeVar("Answer", bound=web.StreamResponse)

SECURITY_HEADERS = {
    # No inline script or style anywhere: the page's code is in static files.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Front:
    """The handlers, with what they share: settings, limits, rate buckets and the client session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.trusted_proxies = parse_trusted_proxies(settings.web_trusted_proxies)
        self.messages = load_messages()
        self.visitors = RateLimiter(self.limits.rate_per_minute, self.limits.burst)
        self.platforms = RateLimiter(self.limits.rate_per_minute * PLATFORM_FACTOR, self.limits.burst * PLATFORM_FACTOR)
        self.session: Optional[aiohttp.ClientSession] = None
        self.upstreams = Upstreams(settings.rasa_urls)
        self.senders = SenderLocks()
        self.sockets = SocketSessions()

    async def client_session(self, _: web.Application) -> AsyncIterator[None]:
        # Bodies pass through as Rasa encoded them, so no decompression here. A
        # new loopback connection per request: reusing one Sanic is closing
        # (its keep-alive is 5 s) fails the request.
        self.session = aiohttp.ClientSession(
            auto_decompress=False, connector=aiohttp.TCPConnector(force_close=True)
        )
        yield
        await self.session.close()

    # -- pages and health ---------------------------------------------------

    async def index(self, _: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def health(self, request: web.Request) -> web.Response:
        """Each replica's Rasa and action server; 200 while at least one replica can answer."""
        self.admit(request, self.visitors)
        replicas = self.settings.replicas()
        states = await asyncio.gather(
            *(self._is_up(f"{r.rasa_url}/") for r in replicas),
            *(self._is_up(f"{r.action_url}/health") for r in replicas),
        )
        rasa, actions = states[: len(replicas)], states[len(replicas):]
        serving = [r and a for r, a in zip(rasa, actions)]
        status = "ok" if all(serving) else "degraded" if any(serving) else "unavailable"
        body = {
            "status": status,
            "rasa": _state(any(rasa)),
            "actions": _state(any(actions)),
            # Numbered, not addressed: the internal ports are nobody's business outside.
            "replicas": [
                {"replica": i, "rasa": _state(r), "actions": _state(a)} for i, (r, a) in enumerate(zip(rasa, actions))
            ],
        }
        return web.json_response(body, status=503 if status == "unavailable" else 200)

    async def _is_up(self, url: str) -> bool:
        assert self.session is not None
        try:
            async with self.session.get(url, timeout=HEALTH_TIMEOUT) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    # -- channels ------------------------------------------------------------

    async def rest(self, request: web.Request) -> web.Response:
        """Rasa's REST channel, after the edge checks; too long a message gets a reply from here."""
        self.admit(request, self.visitors)
        message = parse_rest_message(await self.body(request))
        if len(message.message) > self.limits.max_message_chars:
            return web.json_response([{"recipient_id": message.sender, "text": self.too_long(request, message)}])
        # Only the checked fields go on, re-encoded: Rasa never sees what the edge did not check.
        body = json.dumps(message.as_json(), ensure_ascii=False).encode()
        # One message per sender at a time, to its home replica: see bot/web/balance.py.
        async with self.senders.hold(f"rest:{message.sender}"):
            return await self.forward(request, body, self.upstreams.for_key(message.sender))

    async def webhook(self, request: web.Request) -> web.Response:
        """Any other channel: the body goes through untouched (Slack signs it)."""
        channel = request.match_info["channel"]
        self.admit(request, self.visitors if channel in VISITOR_CHANNELS else self.platforms)
        body = await self.body(request)
        # Without a chat or user to go by, all of a channel's calls share the home of its path.
        key = platform_key(channel, body) or request.path
        async with self.senders.hold(f"{channel}:{key}"):
            return await self.forward(request, body, self.upstreams.for_key(key))

    async def socketio(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            self.admit(request, self.visitors)
            return await self.websocket(request)
        # Long-polling GETs only wait for the server; sends and new sessions count.
        if request.method != "GET" or "sid" not in request.query:
            self.admit(request, self.visitors)
        body = await self.body(request)
        if "sid" in request.query:
            return await self.forward(request, body, self.socket_upstreams(request))
        # A handshake: remember which replica opened the session, its requests must all go there.
        return await self.forward(request, body, self.upstreams.fixed(), on_answer=self.sockets.learn)

    def socket_upstreams(self, request: web.Request) -> list[str]:
        """The replica holding the request's socket.io session; unknown sessions go where handshakes go."""
        known = self.sockets.upstream(request.query.get("sid", ""))
        return [known] if known else self.upstreams.fixed()

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        assert self.session is not None
        session = self.session
        key = self.client_key(request)

        async def check(frame: str) -> Optional[str]:
            # Engine.io "4" frames carry messages; pings and pongs are free.
            if frame.startswith("4") and self.visitors.take(key):
                raise proxy.Refused("too many messages")
            return self.check_socketio_frame(request, frame)

        return await self.first_answering(
            self.socket_upstreams(request),
            lambda url: proxy.forward_websocket(session, url, request, self.limits.max_body_bytes, check),
        )

    def check_socketio_frame(self, request: web.Request, frame: str) -> Optional[str]:
        """A reply frame for a user message that is too long, else None (forward it)."""
        event = proxy.socketio_event(frame)
        if event is None or event[0] != USER_EVENT or not isinstance(event[1], dict):
            return None
        text, metadata = event[1].get("message"), event[1].get("customData")
        if not isinstance(text, str) or len(text) <= self.limits.max_message_chars:
            return None
        language = visitor_language(metadata if isinstance(metadata, dict) else None, _accept_language(request))
        return proxy.socketio_frame(BOT_EVENT, {"text": self._too_long_text(language)})

    # -- shared steps --------------------------------------------------------

    def client_key(self, request: web.Request) -> str:
        return client_address(request.remote, request.headers.get("X-Forwarded-For", ""), self.trusted_proxies)

    def admit(self, request: web.Request, limiter: RateLimiter) -> None:
        wait = limiter.take(self.client_key(request))
        if wait:
            raise EdgeError(429, "too many requests; slow down", retry_after=math.ceil(wait))

    async def body(self, request: web.Request) -> bytes:
        if (request.content_length or 0) > self.limits.max_body_bytes:
            raise EdgeError(413, f"the body must be at most {self.limits.max_body_bytes} bytes")
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise EdgeError(413, f"the body must be at most {self.limits.max_body_bytes} bytes") from None

    async def forward(
        self,
        request: web.Request,
        body: bytes,
        upstreams: Sequence[str],
        on_answer: Optional[Callable[[bytes, str], object]] = None,
    ) -> web.Response:
        """The answer of the first of ``upstreams`` that can be reached (failover)."""
        assert self.session is not None
        session = self.session

        async def send(url: str) -> web.Response:
            response = await proxy.forward(session, url, request, body)
            if on_answer is not None and response.status == 200 and isinstance(response.body, bytes):
                on_answer(response.body, url)
            return response

        return await self.first_answering(upstreams, send)

    async def first_answering(self, upstreams: Sequence[str], attempt: Callable[[str], Awaitable[Answer]]) -> Answer:
        for url in upstreams:
            try:
                response = await attempt(url)
            except proxy.Unreachable:
                # Nothing came back: the next replica of the order gets the request.
                self.upstreams.failed(url)
                continue
            self.upstreams.answered(url)
            return response
        raise EdgeError(502, "the assistant cannot be reached")

    def too_long(self, request: web.Request, message: RestMessage) -> str:
        return self._too_long_text(visitor_language(message.metadata, _accept_language(request)))

    def _too_long_text(self, language: str) -> str:
        return self.messages["message_too_long"][language].format(limit=self.limits.max_message_chars)


def _accept_language(request: web.Request) -> str:
    return request.headers.get("Accept-Language", "")


def _state(up: bool) -> str:
    return "up" if up else "down"


@web.middleware
async def json_errors(request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
    """Every refusal is a small JSON object with an ``error``; nothing unexpected is a bare 500."""
    try:
        return await handler(request)
    except EdgeError as error:
        return _json_error(error.status, error.message, error.retry_after)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = _json_error(error.status, error.reason.lower())
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response
    except ConnectionResetError:
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _json_error(500, "internal error")


def _json_error(status: int, message: str, retry_after: Optional[int] = None) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def security_headers(_: web.Request, response: web.StreamResponse) -> None:
    """On every response, static files, errors and websocket handshakes included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith(("text/", "application/javascript")) and "charset" not in content_type:
        # The page's UI strings include Spanish; never let a browser guess the encoding.
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"


def create_app(settings: Optional[Settings] = None) -> web.Application:
    front = Front(settings or Settings.from_env())
    app = web.Application(middlewares=[json_errors], client_max_size=front.limits.max_body_bytes)
    app.cleanup_ctx.append(front.client_session)
    app.on_response_prepare.append(security_headers)
    app.router.add_get("/", front.index)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/health", front.health)
    app.router.add_post(REST_WEBHOOK, front.rest)
    app.router.add_route("*", r"/webhooks/{channel:[A-Za-z0-9_.-]+}/{tail:.*}", front.webhook)
    app.router.add_route("*", "/socket.io/{tail:.*}", front.socketio)
    return app
