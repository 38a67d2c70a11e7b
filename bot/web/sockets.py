"""The front's socket.io handler: long-polling and websocket traffic, every packet checked on its way to Rasa.

Every packet that reaches Rasa is charged to the client's address: what a
visitor says to the visitors' bucket, polls, pings and pongs to the
background bucket (``Front.background``). Each socket (or engine.io session,
over long-polling) is bound to the one conversation it asked for, or that the
server confirmed, and may post into no other.
"""

from __future__ import annotations

import time
from typing import Iterable, Optional

from aiohttp import web

from bot.channels.bodies import too_long_text
from bot.web import frames, pipeline, proxy
from bot.web.edge import EdgeError, RateLimiter, charge
from bot.web.front import FRONT, Front

# The socket.io event names set in credentials.yml.
USER_EVENT, BOT_EVENT = "user_uttered", "bot_uttered"
SESSION_REQUEST, SESSION_CONFIRM = "session_request", "session_confirm"
TOO_LONG = "too long"
NOT_BOUND = "a socket may only post into its own session"
# How the server writes a confirmation: checked before decoding each of Rasa's frames.
CONFIRM_PREFIX = '42["' + SESSION_CONFIRM


async def socketio(request: web.Request) -> web.StreamResponse:
    """The floors have found the request's kind (``bot.web.pipeline``); each goes its own way to Rasa."""
    front = request.app[FRONT]
    found = request[pipeline.KIND]
    if found is pipeline.WEBSOCKET:
        socket = _Socket(front, request, request.query.get("sid"))
        return await front.forward_websocket(request, socket, request[pipeline.GATE])
    if found is pipeline.HANDSHAKE:
        # Remember which replica opened the session, its requests must all go there.
        return await front.forward(
            request, b"", front.upstreams.fixed(), on_answer=front.sockets.learn, gate=request[pipeline.GATE]
        )
    if found is pipeline.POLL:
        return await _poll(request, front, request.query["sid"])
    return await _post(request, front, request.query.get("sid", ""))


async def _poll(request: web.Request, front: Front, sid: str) -> web.StreamResponse:
    """A long-polling GET: it waits at Rasa for what the server sends, plus whatever the front owes the visitor."""
    response = await front.forward(request, b"", front.socket_upstreams(request), gate=request[pipeline.GATE])
    if response.status != 200 or not isinstance(response.body, bytes):
        return response
    _learn_sessions(front, sid, response.body)
    owed = front.sockets.owed(sid)
    if owed:
        response.body = b"\x1e".join([response.body, *(frame.encode() for frame in owed)])
    return response


async def _post(request: web.Request, front: Front, sid: str) -> web.StreamResponse:
    try:
        traffic = frames.read_polling_body(request[pipeline.BODY])
    except frames.Malformed as error:
        raise EdgeError(400, str(error)) from None
    # Every packet of the body is charged, however many one POST carries.
    if traffic.messages:
        charge(front.visitors, front.client_key(request), traffic.messages)
    if traffic.others or not traffic.messages:
        charge(front.background, front.client_key(request), max(1, traffic.others))
    packets = list(traffic.packets)
    for event in traffic.events:
        why = refusal(front, event, _binding(front, sid, event))
        if why == TOO_LONG:
            # As over websocket: the visitor is answered, the session goes on. The answer waits for
            # the next poll, and Rasa gets a packet it answers with a no-op, which ends a waiting poll.
            front.sockets.owe(sid, _too_long_frame(front, request, event))
            packets[event.packet] = frames.flush_packet()
        elif why is not None:
            raise EdgeError(400, why)
    return await front.forward(
        request, frames.polling_body(packets), front.socket_upstreams(request), gate=request[pipeline.GATE]
    )


def _binding(front: Front, sid: str, event: frames.Event) -> Optional[str]:
    """The session ``sid`` may post into, after ``event``; a session request binds it to the one it names."""
    data = event.first()
    requested = data.get("session_id") if data is not None else None
    if event.name == SESSION_REQUEST and isinstance(requested, str) and frames.session_id_allowed(requested):
        front.sockets.bind(sid, requested)
    return front.sockets.bound(sid)


def _learn_sessions(front: Front, sid: str, body: bytes) -> None:
    """Binds ``sid`` to the session the server confirms in a long-poll answer."""
    if SESSION_CONFIRM.encode() not in body:
        return
    try:
        confirmed = _confirmed(frames.read_polling_body(body).events)
    except frames.Malformed:
        return
    if confirmed is not None:
        front.sockets.bind(sid, confirmed)


def _confirmed(events: Iterable[frames.Event]) -> Optional[str]:
    """The session id Rasa last confirmed among ``events``, if it confirmed one."""
    confirmed = None
    for event in events:
        if event.name == SESSION_CONFIRM and event.args and isinstance(event.args[0], str):
            confirmed = event.args[0]
    return confirmed


class _Socket:
    """One visitor's websocket: its address's buckets, its conversation, when it last said something."""

    def __init__(self, front: Front, request: web.Request, sid: Optional[str]) -> None:
        self.front = front
        self.request = request
        self.key = front.client_key(request)
        # Upgraded from long-polling: the session its engine.io session was bound to.
        self.session = front.sockets.bound(sid) if sid else None
        self.last_said = time.monotonic()

    async def check(self, frame: str) -> Optional[str]:
        try:
            traffic = frames.read_frame(frame)
        except frames.Malformed as error:
            raise proxy.Refused(str(error)) from None
        self._charge(traffic)
        for event in traffic.events:
            self.last_said = time.monotonic()
            if event.name == SESSION_REQUEST:
                self._bind(event)
            why = refusal(self.front, event, self.session)
            if why == TOO_LONG:
                return _too_long_frame(self.front, self.request, event)
            if why is not None:
                raise proxy.Refused(why)
        return None

    def from_rasa(self, frame: str) -> None:
        if not frame.startswith(CONFIRM_PREFIX):
            return
        try:
            confirmed = _confirmed(frames.read_frame(frame).events)
        except frames.Malformed:
            return
        if confirmed is not None:
            self.session = confirmed

    def ping(self) -> None:
        self._take(self.front.background, 1)

    def quiet_for(self) -> float:
        return time.monotonic() - self.last_said

    def _charge(self, traffic: frames.Traffic) -> None:
        if traffic.messages:
            self._take(self.front.visitors, traffic.messages)
        if traffic.others:
            self._take(self.front.background, traffic.others)

    def _take(self, limiter: RateLimiter, cost: int) -> None:
        if limiter.take(self.key, cost):
            raise proxy.Refused("too many messages")

    def _bind(self, event: frames.Event) -> None:
        requested = (event.first() or {}).get("session_id")
        if isinstance(requested, str) and frames.session_id_allowed(requested) and requested:
            self.session = requested


def refusal(front: Front, event: frames.Event, bound: Optional[str]) -> Optional[str]:
    """Why a socket.io event may not reach Rasa (TOO_LONG, or a session it may not use), else None.

    ``bound`` is the session the socket asked for or was given; a message must name it.
    """
    data = event.first()
    if event.name == SESSION_REQUEST:
        # A chosen id such as "1" would join, read and write someone else's room.
        if data is not None and not frames.session_id_allowed(data.get("session_id")):
            return "session ids are issued by the server"
    if event.name == USER_EVENT:
        if bound is None or data is None or data.get("session_id") != bound:
            return NOT_BOUND
        text = data.get("message")
        if isinstance(text, str) and len(text) > front.limits.max_message_chars:
            return TOO_LONG
    return None


def _too_long_frame(front: Front, request: web.Request, event: frames.Event) -> str:
    metadata = (event.first() or {}).get("customData")
    language = front.language(request, metadata if isinstance(metadata, dict) else None)
    return proxy.socketio_frame(BOT_EVENT, {"text": too_long_text(language, front.limits.max_message_chars)})
