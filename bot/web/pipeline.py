"""The floors a request goes down, in one fixed order, before a handler parses it and forwards it.

Each floor is an aiohttp middleware; ``bot.web.app`` registers them once, in
``FLOORS`` order. A floor that refuses raises a ``Refusal``, and the request
goes no lower: the handler, and Rasa, never see it.

1. ``refusals``: every refusal below becomes a small JSON answer.
2. the connection guard: ``origins.middleware`` (which sites may call), then
   ``no_encoded_bodies`` (no compressed bodies); headers only, nothing charged.
3. ``admission``: the request's kind (``Kind``, from its route): its rate
   bucket is charged, a long-poll takes its session's one place.
4. ``body_limits``: the content type a kind needs, a platform's signature
   headers, then the body itself, counted as it arrives (``request[BODY]``).
5. the handler: parses ``request[BODY]`` and forwards (``Front.forward``,
   within the kind's ``guard.Gate``).

A handler calls none of the floors: it reads what they left on the request
(``KIND``, ``GATE``, ``BODY``). socket.io packets are charged one by one once
a long-polling body is read, or a websocket frame arrives: ``bot.web.sockets``
calls the checks of ``bot.web.edge`` and ``bot.web.frames`` for them, which
call nothing back.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Awaitable, Callable, ContextManager, Optional

from aiohttp import web

from bot.channels.bodies import Refusal, body_too_large, wording
from bot.web import frames
from bot.web.edge import EdgeError, charge, check_signature_headers
from bot.web.front import FRONT, Front, Unavailable

log = logging.getLogger(__name__)

# Bodies must arrive at least this fast: a trickle holds a connection for nothing.
BODY_TIMEOUT_S = 20.0
RETRY_AFTER_S = 10
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Kind:
    """What a kind of request costs at the floors, and whose share of the upstream pool it uses."""

    name: str
    # The Front's rate bucket charged on admission (None: nothing, or per packet once read).
    bucket: Optional[str] = None
    # The Front's Gate held while the request holds an upstream connection.
    gate: str = "request_gate"
    # Its body must be sent as JSON (a form or text/plain POST needs no preflight).
    json: bool = False
    # A platform's webhook: its signature headers must be in its platform's format.
    signed: bool = False
    # Its body is read at the body floor, for the handler to parse.
    body: bool = False


# Pages, the widget, static files, and what no route matched (404, 405): nothing to charge.
PAGE = Kind("page")
HEALTH = Kind("health", bucket="visitors")
REST = Kind("rest", bucket="visitors", json=True, body=True)
FORGET = Kind("forget", bucket="visitors", json=True, body=True)
PLATFORM = Kind("platform", bucket="platforms", signed=True, body=True)
# socket.io: one route, four kinds.
SOCKETIO = Kind("socketio")
WEBSOCKET = Kind("websocket", bucket="visitors", gate="socket_gate")
HANDSHAKE = Kind("handshake", bucket="visitors")
POLL = Kind("poll", bucket="background", gate="poll_gate")
# A long-polling POST: charged per packet once its body is read (``bot.web.sockets``).
PACKETS = Kind("packets", body=True)

# Where the floors leave what they found, for the floors below and the handler: the request's kind,
# the Gate its upstream connection is held within (the Front's, by the kind), its body once read.
KIND = "kind"
GATE = "gate"
BODY = "body"
# Each route's kind, as bot.web.app registers it.
ROUTE_KINDS = web.AppKey("route_kinds", dict)


def _classify(request: web.Request) -> Kind:
    found = request.app[ROUTE_KINDS].get(request.match_info.route, PAGE)
    if found is not SOCKETIO:
        return found
    sid = request.query.get("sid")
    if sid is not None and not frames.engine_sid_allowed(sid):
        raise EdgeError(400, "unknown socket.io session")
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return WEBSOCKET
    if request.method == "GET":
        return HANDSHAKE if sid is None else POLL
    return PACKETS


# -- 1. refusals -----------------------------------------------------------------


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal is a small JSON object with an ``error``; nothing unexpected is a bare 500."""
    try:
        return await handler(request)
    except Refusal as error:
        return json_error(error.status, error.message, error.retry_after)
    except Unavailable:
        text = wording("temporarily_unavailable", request.app[FRONT].language(request))
        return json_error(503, text, RETRY_AFTER_S)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = json_error(error.status, error.reason.lower())
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response
    except ConnectionError:
        # The visitor hung up: the answer reaches nobody (aiohttp drops it quietly), and it is no fault here.
        return json_error(400, "the connection was closed")
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return json_error(500, "internal error")


def json_error(status: int, message: str, retry_after: Optional[int] = None) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


# -- 2. the connection guard (after origins.middleware) -------------------------


@web.middleware
async def no_encoded_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """415 for a compressed body, before any of it is read: 64 KB of gzip can inflate to 64 MiB."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise EdgeError(415, "compressed request bodies (Content-Encoding) are not accepted")
    return await handler(request)


# -- 3. admission and rate -------------------------------------------------------


@web.middleware
async def admission(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Charges the request's kind its bucket; a long-poll also takes its engine.io session's one place."""
    found = request[KIND] = _classify(request)
    front = request.app[FRONT]
    request[GATE] = getattr(front, found.gate)
    if found.bucket is not None:
        charge(getattr(front, found.bucket), front.client_key(request))
    # engine.io answers one waiting GET per session; more would each hold a connection for nothing.
    held: ContextManager[None] = front.session_polls.hold(request.query["sid"]) if found is POLL else nullcontext()
    with held:
        return await handler(request)


# -- 4. body limits ------------------------------------------------------------------


@web.middleware
async def body_limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The body, read as the kind needs it: JSON where it must be, signed headers well formed, within limits."""
    found = request[KIND]
    if found.json and request.content_type != "application/json":
        # A form or text/plain POST needs no preflight: any page could make its visitors' browsers send one.
        raise EdgeError(415, "the body must be sent as Content-Type: application/json")
    if found.signed:
        check_signature_headers(request.path.split("/")[2], request.headers)
    if found.body:
        request[BODY] = await read_body(request, request.app[FRONT])
    return await handler(request)


async def read_body(request: web.Request, front: Front) -> bytes:
    """The body, counted as it arrives: no more than the limit is ever held, nor waited for long."""
    limit = front.limits.max_body_bytes
    if (request.content_length or 0) > limit:
        raise body_too_large(limit)
    received = bytearray()

    async def read() -> None:
        async for chunk in request.content.iter_any():
            received.extend(chunk)
            if len(received) > limit:
                raise body_too_large(limit)

    try:
        await asyncio.wait_for(read(), BODY_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise EdgeError(408, f"the body must arrive within {BODY_TIMEOUT_S:.0f} s") from None
    return bytes(received)


# The floors, top down, as bot.web.app registers them (origins.middleware's is ``check_origin``).
FLOORS = ("refusals", "check_origin", "no_encoded_bodies", "admission", "body_limits")
