"""The front's socket.io handler: long-polling and websocket traffic, every packet checked on its way to Rasa."""

from __future__ import annotations

from typing import Optional

from aiohttp import web

from bot.channels.bodies import too_long_text
from bot.web import frames, proxy
from bot.web.edge import EdgeError
from bot.web.front import FRONT, SESSION, Front

# The socket.io event names set in credentials.yml.
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
TOO_LONG = "too long"


async def socketio(request: web.Request) -> web.StreamResponse:
    front = request.app[FRONT]
    sid = request.query.get("sid")
    if sid is not None and not frames.engine_sid_allowed(sid):
        raise EdgeError(400, "unknown socket.io session")
    if request.headers.get("Upgrade", "").lower() == "websocket":
        front.admit(request, front.visitors)
        return await _websocket(request, front)
    if request.method == "GET":
        # Long-polling GETs only wait for the server; a new session counts.
        if sid is not None:
            return await front.forward(request, b"", front.socket_upstreams(request))
        # A handshake: remember which replica opened the session, its requests must all go there.
        front.admit(request, front.visitors)
        return await front.forward(request, b"", front.upstreams.fixed(), on_answer=front.sockets.learn)
    body = await front.read_body(request)
    try:
        traffic = frames.read_polling_body(body)
    except frames.Malformed as error:
        raise EdgeError(400, str(error)) from None
    # Every message of the body is charged, however many one POST carries.
    front.admit(request, front.visitors, cost=max(1, traffic.messages))
    for event in traffic.events:
        why = refusal(front, event)
        if why == TOO_LONG:
            raise EdgeError(413, f"a message must be at most {front.limits.max_message_chars} characters")
        if why is not None:
            raise EdgeError(400, why)
    return await front.forward(request, body, front.socket_upstreams(request))


async def _websocket(request: web.Request, front: Front) -> web.StreamResponse:
    session = request.app[SESSION]
    key = front.client_key(request)

    async def check(frame: str) -> Optional[str]:
        try:
            traffic = frames.read_frame(frame)
        except frames.Malformed as error:
            raise proxy.Refused(str(error)) from None
        # Each message is charged; engine.io pings and pongs are free.
        if traffic.messages and front.visitors.take(key, traffic.messages):
            raise proxy.Refused("too many messages")
        for event in traffic.events:
            why = refusal(front, event)
            if why == TOO_LONG:
                return _too_long_frame(front, request, event)
            if why is not None:
                raise proxy.Refused(why)
        return None

    with front.socket_gate.hold(key):
        return await front.first_answering(
            front.socket_upstreams(request),
            lambda url: proxy.forward_websocket(session, url, request, front.limits.max_body_bytes, check),
        )


def refusal(front: Front, event: frames.Event) -> Optional[str]:
    """Why a socket.io event may not reach Rasa (TOO_LONG, or a bad session id), else None."""
    data = event.first()
    if event.name == "session_request":
        # A chosen id such as "1" would join, read and write someone else's room.
        if data is not None and not frames.session_id_allowed(data.get("session_id")):
            return "session ids are issued by the server"
    if event.name == USER_EVENT and data is not None:
        text = data.get("message")
        if isinstance(text, str) and len(text) > front.limits.max_message_chars:
            return TOO_LONG
    return None


def _too_long_frame(front: Front, request: web.Request, event: frames.Event) -> str:
    metadata = (event.first() or {}).get("customData")
    language = front.language(request, metadata if isinstance(metadata, dict) else None)
    return proxy.socketio_frame(BOT_EVENT, {"text": too_long_text(language, front.limits.max_message_chars)})
