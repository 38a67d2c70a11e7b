"""The aiohttp application of the web front: its floors in order, routes, handlers, security headers.

A request goes down the floors (``bot.web.pipeline``: refusals, origins, encodings,
admission and rate, body limits) to its handler, which parses and forwards.

Handlers are functions; what they share is kept in the app (``bot.web.front``),
and what lives as long as the app (the client session, the replica watch) is
opened and closed in its ``cleanup_ctx``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from aiohttp import web

from bot.channels import platforms
from bot.channels.bodies import parse_rest_message, parse_sender, too_long_reply, wording
from bot.runtime.settings import Settings
from bot.web import origins, pipeline
from bot.web.balance import platform_key
from bot.web.pipeline import BODY, GATE, RETRY_AFTER_S, ROUTE_KINDS, admission, body_limits, no_encoded_bodies, refusals
from bot.web.front import FRONT, SESSION, Front, Unavailable, client_session, replica_watch
from bot.web.origins import Origins
from bot.web.sockets import socketio

STATIC = Path(__file__).with_name("static")
# The web channels' paths, as bot.channels.platforms gives them.
(_, REST_WEBHOOK), = platforms.channel("rest").routes
SOCKETIO_PATH = platforms.channel("socketio").routes[0][1]
# Deletes a conversation (bot.channels.erasure.PrivacyInput): the page's and the widget's "clear conversation".
(_, FORGET), = platforms.channel("privacy").routes
# The page and the widget change with each release: browsers check before reusing them.
REVALIDATE = {"Cache-Control": "no-cache"}

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
HEADERS = web.AppKey("headers", dict)


# -- pages and health -----------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    return web.Response(text=request.app[FRONT].page, content_type="text/html", headers=REVALIDATE)


async def widget(request: web.Request) -> web.Response:
    """The chat for other sites: ``<script src="https://BOT/widget.js" defer>`` (docs/channels.md)."""
    script = request.app[FRONT].widget_script
    return web.Response(text=script, content_type="application/javascript", headers=REVALIDATE)


async def languages(request: web.Request) -> web.Response:
    """The languages and the page's words, for the page's chat.js: a script, since the policy forbids inline ones."""
    script = request.app[FRONT].languages_script
    return web.Response(text=script, content_type="application/javascript", headers=REVALIDATE)


async def health(request: web.Request) -> web.Response:
    """Each replica's Rasa and action server; 200 while at least one replica can answer."""
    front = request.app[FRONT]
    rasa, actions = await front.probe(request.app[SESSION])
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
        "channels": sorted(front.channels),
    }
    return web.json_response(body, status=503 if status == "unavailable" else 200)


def _state(up: bool) -> str:
    return "up" if up else "down"


# -- channels ------------------------------------------------------------------


# The floors (bot.web.pipeline) have charged the request and read its body: handlers parse and forward.


async def rest(request: web.Request) -> web.Response:
    """Rasa's REST channel; too long a message gets its reply from here."""
    front = request.app[FRONT]
    message = parse_rest_message(request[BODY], front.limits.max_body_bytes)
    reply = too_long_reply(message, front.limits.max_message_chars, request.headers.get("Accept-Language", ""))
    if reply is not None:
        return web.json_response(reply)
    # Only the checked fields go on, re-encoded: Rasa never sees what the edge did not check.
    body = json.dumps(message.as_json(), ensure_ascii=False).encode()
    try:
        # One message per sender at a time, to its home replica: see bot/web/balance.py.
        async with front.senders.hold(f"rest:{message.sender}"):
            return await front.forward(request, body, front.upstreams.for_key(message.sender), gate=request[GATE])
    except Unavailable:
        text = wording("temporarily_unavailable", front.language(request, message.metadata))
        return _unavailable(web.json_response([{"recipient_id": message.sender, "text": text}], status=503))


async def forget(request: web.Request) -> web.Response:
    """Deletes a REST sender's conversation, on the replica that holds it, between its messages."""
    front = request.app[FRONT]
    sender = parse_sender(request[BODY], front.limits.max_body_bytes)
    body = json.dumps({"sender": sender}, ensure_ascii=False).encode()
    async with front.senders.hold(f"rest:{sender}"):
        return await front.forward(request, body, front.upstreams.for_key(sender), gate=request[GATE])


async def webhook(request: web.Request) -> web.Response:
    """A connected platform's webhook: the body goes through untouched (Slack signs it)."""
    front = request.app[FRONT]
    channel = request.path.split("/")[2]
    body = request[BODY]
    # The conversation's own key, as Rasa stores it: one lock per conversation, whatever the channel.
    # Without a chat or user to go by, all of a channel's calls share the home of its path.
    key = platform_key(channel, body) or f"{channel}:{request.path}"
    async with front.senders.hold(key):
        return await front.forward(request, body, front.upstreams.for_key(key), gate=request[GATE])


def _unavailable(response: web.Response) -> web.Response:
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


# -- headers -------------------------------------------------------------------


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response, static files, errors and websocket handshakes included."""
    for name, value in request.app[HEADERS].items():
        response.headers[name] = value
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith(("text/", "application/javascript")) and "charset" not in content_type:
        # The page's UI strings include Spanish; never let a browser guess the encoding.
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"


# -- the app ---------------------------------------------------------------------


def create_app(settings: Optional[Settings] = None) -> web.Application:
    front = Front(settings or Settings.from_env())
    allowed = Origins.from_settings(front.settings)
    app = web.Application(
        # The floors, top down, in this order only (bot.web.pipeline.FLOORS).
        middlewares=[refusals, origins.middleware(allowed), no_encoded_bodies, admission, body_limits],
        client_max_size=front.limits.max_body_bytes,
    )
    app[FRONT] = front
    app[ROUTE_KINDS] = {}
    app[HEADERS] = {**SECURITY_HEADERS, **allowed.frame_headers(CONTENT_SECURITY_POLICY)}
    # The session first: the watch uses it, and is stopped before it closes.
    app.cleanup_ctx.extend([client_session, replica_watch])
    app.on_response_prepare.append(security_headers)
    app.on_response_prepare.append(origins.add_cors_headers)
    _add_routes(app, front.channels)
    return app


def _add_routes(app: web.Application, channels: frozenset[str]) -> None:
    # The allow-list: exact methods and paths, anything else is 404 or 405 and never reaches Rasa.
    # A preflight (OPTIONS) from an allowed origin is answered by the origins middleware.
    app.router.add_get("/", index)
    app.router.add_get("/widget.js", widget)
    app.router.add_get("/languages.js", languages)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    kinds = app[ROUTE_KINDS]
    for route in app.router.add_get("/health", health, allow_head=False), app.router.add_head("/health", health):
        kinds[route] = pipeline.HEALTH
    # Each connected channel's routes (bot.channels.platforms), exactly: nothing else under /webhooks/
    # reaches Rasa, not Telegram's own `set_webhook` (it registers the webhook again without the
    # secret), not `/webhooks/rest/`. Our own channels have handlers of their own; every
    # platform's webhook goes through `webhook` (docs/channels.md).
    own = {"rest": (rest, pipeline.REST), "privacy": (forget, pipeline.FORGET), "socketio": (socketio, pipeline.SOCKETIO)}
    for channel in platforms.CHANNELS:
        if channel.name in channels:
            handler, kind = (webhook, pipeline.PLATFORM) if channel.platform else own[channel.name]
            for method, path in channel.routes:
                kinds[app.router.add_route(method, path, handler)] = kind
