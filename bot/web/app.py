"""The aiohttp application of the web front: routes, edge checks, security headers."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping, Optional, Sequence, TypeVar

import aiohttp
from aiohttp import web

from bot.runtime.settings import ConfigError, Settings
from bot.web import frames, origins, proxy, widget
from bot.web.balance import SenderLocks, SocketSessions, Upstreams, platform_key
from bot.web.edge import (
    EdgeError, Limits, RateLimiter, RestMessage, bucket_key, client_address, load_messages, parse_rest_message,
    parse_sender, parse_trusted_proxies, visitor_language,
)
from bot.web.guard import SocketGate
from bot.web.origins import Origins

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
REST_WEBHOOK = "/webhooks/rest/webhook"
SOCKETIO_PATH = "/socket.io/"
# Deletes a conversation (bot.channels.erasure.PrivacyInput): the page's and the widget's "clear conversation".
FORGET = "/webhooks/privacy/forget"
# The public API: each connected platform's webhook, exactly (docs/channels.md).
# Nothing else under /webhooks/ reaches Rasa: not Telegram's own `set_webhook`
# (it registers the webhook again without the secret), not `/webhooks/rest/`.
PLATFORM_ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "telegram": (("POST", "/webhooks/telegram/webhook"),),
    "slack": (("POST", "/webhooks/slack/webhook"),),
    # Messenger checks the address with a GET before it sends anything.
    "facebook": (("GET", "/webhooks/facebook/webhook"), ("POST", "/webhooks/facebook/webhook")),
}
# Platforms speak for many users from few addresses: a bucket this many times larger.
PLATFORM_FACTOR = 10
# Bodies must arrive at least this fast: a trickle holds a connection for nothing.
BODY_TIMEOUT_S = 20.0
# How often the front asks each replica whether it can answer.
WATCH_INTERVAL_S = 1.0
RETRY_AFTER_S = 10
# The socket.io event names set in credentials.yml.
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=3)
# The page and the widget change with each release: browsers check before reusing them.
REVALIDATE = {"Cache-Control": "no-cache"}
Answer = TypeVar("Answer", bound=web.StreamResponse)

# No inline script or style anywhere: the page's code is in static files.
# Who may frame the page (frame-ancestors) comes from WEB_FRAME_ANCESTORS.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Unavailable(Exception):
    """No replica can answer right now (one is restarting): the visitor is told so, politely."""


class Front:
    """The handlers, with what they share: settings, limits, rate buckets and the client session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.trusted_proxies = parse_trusted_proxies(settings.web_trusted_proxies)
        self.channels = connected_channels(settings.web_channels)
        self.messages = load_messages()
        self.visitors = RateLimiter(self.limits.rate_per_minute, self.limits.burst)
        self.platforms = RateLimiter(self.limits.rate_per_minute * PLATFORM_FACTOR, self.limits.burst * PLATFORM_FACTOR)
        self.session: Optional[aiohttp.ClientSession] = None
        self.upstreams = Upstreams(settings.rasa_urls)
        self.senders = SenderLocks()
        self.sockets = SocketSessions()
        self.socket_gate = SocketGate(settings.web_max_sockets_per_address, settings.web_max_sockets)
        self.page = widget.page(settings.conversation_retention_days)
        self.widget_script = widget.widget_script(settings.conversation_retention_days)
        # Whether each replica (by its Rasa URL) answered the last probe of both its servers.
        self.serving: dict[str, bool] = {url: True for url in settings.rasa_urls}

    async def client_session(self, _: web.Application) -> AsyncIterator[None]:
        # Bodies pass through as Rasa encoded them, so no decompression here. A
        # new loopback connection per request: reusing one Sanic is closing
        # (its keep-alive is 5 s) fails the request.
        self.session = aiohttp.ClientSession(
            auto_decompress=False, connector=aiohttp.TCPConnector(force_close=True)
        )
        watcher = asyncio.create_task(self._watch_replicas())
        yield
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await self.session.close()

    # -- pages and health ---------------------------------------------------

    async def index(self, _: web.Request) -> web.Response:
        return web.Response(text=self.page, content_type="text/html", headers=REVALIDATE)

    async def widget(self, _: web.Request) -> web.Response:
        """The chat for other sites: ``<script src="https://BOT/widget.js" defer>`` (docs/channels.md)."""
        return web.Response(text=self.widget_script, content_type="application/javascript", headers=REVALIDATE)

    async def health(self, request: web.Request) -> web.Response:
        """Each replica's Rasa and action server; 200 while at least one replica can answer."""
        self.admit(request, self.visitors)
        rasa, actions = await self._probe()
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
            "channels": sorted(self.channels),
        }
        return web.json_response(body, status=503 if status == "unavailable" else 200)

    async def _probe(self) -> tuple[list[bool], list[bool]]:
        replicas = self.settings.replicas()
        states = await asyncio.gather(
            *(self._is_up(f"{r.rasa_url}/") for r in replicas),
            *(self._is_up(f"{r.action_url}/health") for r in replicas),
        )
        rasa, actions = list(states[: len(replicas)]), list(states[len(replicas):])
        for replica, r, a in zip(replicas, rasa, actions):
            self.serving[replica.rasa_url] = r and a
        return rasa, actions

    async def _watch_replicas(self) -> None:
        # A message sent while its replica's action server is down would be taken
        # by Rasa and answered with nothing; the front says "unavailable" instead.
        while True:
            await self._probe()
            await asyncio.sleep(WATCH_INTERVAL_S)

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
        _require_json(request)
        message = parse_rest_message(await self.body(request))
        if len(message.message) > self.limits.max_message_chars:
            return web.json_response([{"recipient_id": message.sender, "text": self.too_long(request, message)}])
        # Only the checked fields go on, re-encoded: Rasa never sees what the edge did not check.
        body = json.dumps(message.as_json(), ensure_ascii=False).encode()
        try:
            # One message per sender at a time, to its home replica: see bot/web/balance.py.
            async with self.senders.hold(f"rest:{message.sender}"):
                return await self.forward(request, body, self.upstreams.for_key(message.sender))
        except Unavailable:
            text = self.text("temporarily_unavailable", self.language(request, message.metadata))
            return _unavailable(web.json_response([{"recipient_id": message.sender, "text": text}], status=503))

    async def forget(self, request: web.Request) -> web.Response:
        """Deletes a REST sender's conversation, on the replica that holds it, between its messages."""
        self.admit(request, self.visitors)
        _require_json(request)
        sender = parse_sender(await self.body(request))
        body = json.dumps({"sender": sender}, ensure_ascii=False).encode()
        async with self.senders.hold(f"rest:{sender}"):
            return await self.forward(request, body, self.upstreams.for_key(sender))

    async def webhook(self, request: web.Request) -> web.Response:
        """A connected platform's webhook: the body goes through untouched (Slack signs it)."""
        channel = request.path.split("/")[2]
        self.admit(request, self.platforms)
        body = await self.body(request)
        # Without a chat or user to go by, all of a channel's calls share the home of its path.
        key = platform_key(channel, body) or request.path
        async with self.senders.hold(f"{channel}:{key}"):
            return await self.forward(request, body, self.upstreams.for_key(key))

    async def socketio(self, request: web.Request) -> web.StreamResponse:
        sid = request.query.get("sid")
        if sid is not None and not frames.engine_sid_allowed(sid):
            raise EdgeError(400, "unknown socket.io session")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            self.admit(request, self.visitors)
            return await self.websocket(request)
        if request.method == "GET":
            # Long-polling GETs only wait for the server; a new session counts.
            if sid is not None:
                return await self.forward(request, b"", self.socket_upstreams(request))
            # A handshake: remember which replica opened the session, its requests must all go there.
            self.admit(request, self.visitors)
            return await self.forward(request, b"", self.upstreams.fixed(), on_answer=self.sockets.learn)
        body = await self.body(request)
        try:
            traffic = frames.read_polling_body(body)
        except frames.Malformed as error:
            raise EdgeError(400, str(error)) from None
        # Every message of the body is charged, however many one POST carries.
        self.admit(request, self.visitors, cost=max(1, traffic.messages))
        for event in traffic.events:
            refusal = self.refusal(event)
            if refusal == "too long":
                raise EdgeError(413, f"a message must be at most {self.limits.max_message_chars} characters")
            if refusal is not None:
                raise EdgeError(400, refusal)
        return await self.forward(request, body, self.socket_upstreams(request))

    def socket_upstreams(self, request: web.Request) -> list[str]:
        """The replica holding the request's socket.io session; unknown sessions go where handshakes go."""
        known = self.sockets.upstream(request.query.get("sid", ""))
        return [known] if known else self.upstreams.fixed()

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        assert self.session is not None
        session = self.session
        key = self.client_key(request)

        async def check(frame: str) -> Optional[str]:
            try:
                traffic = frames.read_frame(frame)
            except frames.Malformed as error:
                raise proxy.Refused(str(error)) from None
            # Each message is charged; engine.io pings and pongs are free.
            if traffic.messages and self.visitors.take(key, traffic.messages):
                raise proxy.Refused("too many messages")
            for event in traffic.events:
                refusal = self.refusal(event)
                if refusal == "too long":
                    return self.too_long_frame(request, event)
                if refusal is not None:
                    raise proxy.Refused(refusal)
            return None

        with self.socket_gate.hold(key):
            return await self.first_answering(
                self.socket_upstreams(request),
                lambda url: proxy.forward_websocket(session, url, request, self.limits.max_body_bytes, check),
            )

    def refusal(self, event: frames.Event) -> Optional[str]:
        """Why a socket.io event may not reach Rasa ("too long", or a bad session id), else None."""
        data = event.first()
        if event.name == "session_request":
            # A chosen id such as "1" would join, read and write someone else's room.
            if data is not None and not frames.session_id_allowed(data.get("session_id")):
                return "session ids are issued by the server"
        if event.name == USER_EVENT and data is not None:
            text = data.get("message")
            if isinstance(text, str) and len(text) > self.limits.max_message_chars:
                return "too long"
        return None

    def too_long_frame(self, request: web.Request, event: frames.Event) -> str:
        metadata = (event.first() or {}).get("customData")
        language = self.language(request, metadata if isinstance(metadata, dict) else None)
        text = self.text("message_too_long", language).format(limit=self.limits.max_message_chars)
        return proxy.socketio_frame(BOT_EVENT, {"text": text})

    # -- shared steps --------------------------------------------------------

    def client_key(self, request: web.Request) -> str:
        return bucket_key(client_address(request.remote, request.headers.get("X-Forwarded-For", ""), self.trusted_proxies))

    def admit(self, request: web.Request, limiter: RateLimiter, cost: int = 1) -> None:
        wait = limiter.take(self.client_key(request), cost)
        if wait:
            raise EdgeError(429, "too many requests; slow down", retry_after=math.ceil(wait))

    async def body(self, request: web.Request) -> bytes:
        """The body, counted as it arrives: no more than the limit is ever held, nor waited for long."""
        limit = self.limits.max_body_bytes
        if (request.content_length or 0) > limit:
            raise EdgeError(413, f"the body must be at most {limit} bytes")
        received = bytearray()

        async def read() -> None:
            async for chunk in request.content.iter_any():
                received.extend(chunk)
                if len(received) > limit:
                    raise EdgeError(413, f"the body must be at most {limit} bytes")

        try:
            await asyncio.wait_for(read(), BODY_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise EdgeError(408, f"the body must arrive within {BODY_TIMEOUT_S:.0f} s") from None
        return bytes(received)

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
            if not self.serving.get(url, True):
                # Its Rasa or its action server is down: Rasa would take the message and answer nothing.
                continue
            try:
                response = await attempt(url)
            except proxy.Unreachable:
                # Nothing came back: the next replica of the order gets the request.
                self.upstreams.failed(url)
                self.serving[url] = False
                continue
            self.upstreams.answered(url)
            return response
        raise Unavailable()

    def too_long(self, request: web.Request, message: RestMessage) -> str:
        language = self.language(request, message.metadata)
        return self.text("message_too_long", language).format(limit=self.limits.max_message_chars)

    def language(self, request: web.Request, metadata: Optional[Mapping[str, Any]] = None) -> str:
        """The visitor's language: from the message's metadata, else the browser's Accept-Language."""
        return visitor_language(metadata, request.headers.get("Accept-Language", ""))

    def text(self, key: str, language: str) -> str:
        """The front's own wording (bot/web/messages.yml)."""
        return self.messages[key][language]


# The app's Front, for whoever runs the app (`python -m bot.web` reads its trusted proxies).
FRONT = web.AppKey("front", Front)


def connected_channels(text: str) -> frozenset[str]:
    """The platforms named in WEB_CHANNELS ("rest,socketio,telegram") whose webhooks the front opens."""
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = names - set(PLATFORM_ROUTES) - {"rest", "socketio", "privacy"}
    if unknown:
        raise ConfigError(f"WEB_CHANNELS names unknown channels: {', '.join(sorted(unknown))}")
    return names


def _unavailable(response: web.Response) -> web.Response:
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _require_json(request: web.Request) -> None:
    if request.content_type != "application/json":
        # A form or text/plain POST needs no preflight: any page could make its visitors' browsers send one.
        raise EdgeError(415, "the body must be sent as Content-Type: application/json")


def _state(up: bool) -> str:
    return "up" if up else "down"


def error_middleware(front: Front) -> Callable:
    @web.middleware
    async def json_errors(request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
        """Every refusal is a small JSON object with an ``error``; nothing unexpected is a bare 500."""
        try:
            return await handler(request)
        except EdgeError as error:
            return _json_error(error.status, error.message, error.retry_after)
        except Unavailable:
            text = front.text("temporarily_unavailable", front.language(request))
            return _json_error(503, text, RETRY_AFTER_S)
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

    return json_errors


@web.middleware
async def no_encoded_bodies(request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
    """415 for a compressed body, before any of it is read: 64 KB of gzip can inflate to 64 MiB."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise EdgeError(415, "compressed request bodies (Content-Encoding) are not accepted")
    return await handler(request)


def _json_error(status: int, message: str, retry_after: Optional[int] = None) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


HEADERS = web.AppKey("headers", dict)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response, static files, errors and websocket handshakes included."""
    for name, value in request.app[HEADERS].items():
        response.headers[name] = value
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith(("text/", "application/javascript")) and "charset" not in content_type:
        # The page's UI strings include Spanish; never let a browser guess the encoding.
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"


def create_app(settings: Optional[Settings] = None) -> web.Application:
    front = Front(settings or Settings.from_env())
    allowed = Origins.from_settings(front.settings)
    app = web.Application(
        middlewares=[error_middleware(front), origins.middleware(allowed), no_encoded_bodies],
        client_max_size=front.limits.max_body_bytes,
    )
    app[FRONT] = front
    app[HEADERS] = {**SECURITY_HEADERS, **allowed.frame_headers(CONTENT_SECURITY_POLICY)}
    app.cleanup_ctx.append(front.client_session)
    app.on_response_prepare.append(security_headers)
    app.on_response_prepare.append(origins.add_cors_headers)
    # The allow-list: exact methods and paths, anything else is 404 or 405 and never reaches Rasa.
    # A preflight (OPTIONS) from an allowed origin is answered by the origins middleware.
    app.router.add_get("/", front.index)
    app.router.add_get("/widget.js", front.widget)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/health", front.health)
    if "rest" in front.channels:
        app.router.add_post(REST_WEBHOOK, front.rest)
    if "privacy" in front.channels:
        app.router.add_post(FORGET, front.forget)
    if "socketio" in front.channels:
        app.router.add_route("GET", SOCKETIO_PATH, front.socketio)
        app.router.add_route("POST", SOCKETIO_PATH, front.socketio)
    for channel, routes in PLATFORM_ROUTES.items():
        if channel in front.channels:
            for method, path in routes:
                app.router.add_route(method, path, front.webhook)
    return app
