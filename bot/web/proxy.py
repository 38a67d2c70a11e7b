"""Forwarding to the Rasa server on loopback: plain HTTP and socket.io websockets."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Mapping, Optional, Protocol

import aiohttp
from aiohttp import WSCloseCode, WSMsgType, web
from multidict import CIMultiDict
from yarl import URL

log = logging.getLogger(__name__)

# Headers that describe one hop, not the message (RFC 9110 7.6.1), plus those
# aiohttp recomputes for the forwarded body.
HOP_BY_HOP = frozenset(
    h.lower()
    for h in (
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    )
)
WEBSOCKET_HANDSHAKE = frozenset(
    h.lower()
    for h in (
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept",
        "Sec-WebSocket-Protocol",
    )
)
# socket.io long-polling holds a request open for up to its ping interval (25 s).
UPSTREAM_TIMEOUT = aiohttp.ClientTimeout(total=90, sock_connect=5)
# A visitor's websocket is pinged this often and closed when a pong is missed;
# socket.io clients answer the server's pings every 25 s, so a minute with no
# frame at all means the visitor is gone.
HEARTBEAT_S = 30.0
SOCKET_IDLE_S = 60.0


class Unreachable(Exception):
    """Rasa did not answer: the front says so instead of failing with a 500."""


class Refused(Exception):
    """A frame the edge will not pass on; the visitor's websocket is closed."""


def upstream_url(base: str, request: web.Request) -> URL:
    # Path and query exactly as received: Slack signs the body, Facebook's checks sit in the query.
    return URL(base.rstrip("/") + str(request.rel_url), encoded=True)


def forwarded_headers(headers: Mapping[str, str], drop: frozenset[str] = frozenset()) -> CIMultiDict:
    kept: CIMultiDict = CIMultiDict()
    for name, value in headers.items():
        lower = name.lower()
        if lower not in HOP_BY_HOP and lower not in WEBSOCKET_HANDSHAKE and lower not in drop:
            kept.add(name, value)
    return kept


async def forward(session: aiohttp.ClientSession, base: str, request: web.Request, body: bytes) -> web.Response:
    """Rasa's answer to the same method, path, query, headers and (already read) body."""
    try:
        async with session.request(
            request.method,
            upstream_url(base, request),
            data=body or None,
            headers=forwarded_headers(request.headers),
            allow_redirects=False,
            timeout=UPSTREAM_TIMEOUT,
        ) as upstream:
            payload = await upstream.read()
            return web.Response(status=upstream.status, body=payload, headers=forwarded_headers(upstream.headers))
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("Rasa did not answer %s %s: %r", request.method, request.path, error)
        raise Unreachable() from error


class Declined(Exception):
    """Rasa answered, with an error status: the replica is up, the request was not for it."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class SocketWatch(Protocol):
    """What the front does with a visitor's websocket traffic, frame by frame."""

    async def check(self, frame: str) -> Optional[str]:
        """Each text frame from the visitor: a frame to send back instead of forwarding, or None to forward it.
        Raises ``Refused`` to close the socket."""

    def from_rasa(self, frame: str) -> None:
        """Each text frame from Rasa, before the visitor gets it."""

    def ping(self) -> None:
        """A websocket ping from the visitor; raises ``Refused`` when there are too many."""

    def quiet_for(self) -> float:
        """Seconds since the visitor last said something (pings and pongs are not talk)."""


async def forward_websocket(
    session: aiohttp.ClientSession, base: str, request: web.Request, max_frame: int, watch: SocketWatch,
    idle_limit: float,
) -> web.WebSocketResponse:
    """Joins the visitor's websocket to one opened to Rasa, frame for frame, until either ends
    or the visitor has said nothing for ``idle_limit`` seconds."""
    try:
        upstream = await session.ws_connect(
            upstream_url(base, request), headers=forwarded_headers(request.headers), timeout=10.0, autoping=True
        )
    except aiohttp.WSServerHandshakeError as error:
        # Rasa is there and said no (an unknown or expired sid is a 400): the visitor's answer, not an outage.
        raise Declined(error.status) from None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("Rasa refused the websocket %s: %r", request.path, error)
        raise Unreachable() from error
    # Pings are answered here, and charged (`SocketWatch.ping`); a visitor's pong is only proof of life.
    visitor = web.WebSocketResponse(
        max_msg_size=max_frame, autoping=False, heartbeat=HEARTBEAT_S, receive_timeout=SOCKET_IDLE_S
    )
    try:
        if request.transport is None or request.transport.is_closing():
            # The visitor hung up during the upgrade: nothing to answer, nobody to tell.
            raise ConnectionResetError("the visitor hung up")
        await visitor.prepare(request)
        await _join(visitor, upstream, watch, idle_limit)
    finally:
        await upstream.close()
        if visitor.prepared:
            await visitor.close()
    return visitor


async def _join(
    visitor: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse, watch: SocketWatch, idle_limit: float
) -> None:
    pumps = {
        asyncio.create_task(_visitor_to_rasa(visitor, upstream, watch)),
        asyncio.create_task(_rasa_to_visitor(upstream, visitor, watch)),
        asyncio.create_task(_until_quiet(watch, idle_limit)),
    }
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def _until_quiet(watch: SocketWatch, idle_limit: float) -> None:
    """Returns once the visitor has said nothing for ``idle_limit`` seconds: the socket is then closed."""
    while (quiet := watch.quiet_for()) < idle_limit:
        await asyncio.sleep(idle_limit - quiet)


async def _visitor_to_rasa(
    visitor: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse, watch: SocketWatch
) -> None:
    try:
        await _pass_frames(visitor, upstream, watch)
    except asyncio.TimeoutError:
        # Nothing from the visitor for SOCKET_IDLE_S: the socket is closed (in `forward_websocket`).
        return
    except Refused as refusal:
        await visitor.close(code=WSCloseCode.POLICY_VIOLATION, message=str(refusal).encode())


async def _pass_frames(
    visitor: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse, watch: SocketWatch
) -> None:
    async for frame in visitor:
        if frame.type == WSMsgType.TEXT:
            reply = await watch.check(frame.data)
            if reply is None:
                await upstream.send_str(frame.data)
            else:
                await visitor.send_str(reply)
        elif frame.type == WSMsgType.PING:
            watch.ping()
            await visitor.pong(frame.data)
        elif frame.type != WSMsgType.PONG:
            # Binary frames carry nothing the assistant reads, and would pass every check unread.
            return


async def _rasa_to_visitor(
    upstream: aiohttp.ClientWebSocketResponse, visitor: web.WebSocketResponse, watch: SocketWatch
) -> None:
    async for frame in upstream:
        if frame.type == WSMsgType.TEXT:
            watch.from_rasa(frame.data)
            await visitor.send_str(frame.data)
        elif frame.type == WSMsgType.BINARY:
            await visitor.send_bytes(frame.data)
        else:
            return


def socketio_frame(event: str, data: object) -> str:
    return "42" + json.dumps([event, data], ensure_ascii=False)
