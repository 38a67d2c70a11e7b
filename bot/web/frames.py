"""socket.io traffic read as the server reads it, with python-engineio's and python-socketio's packet classes.

A hand-written prefix test ("42[") misses framings the server accepts
(``421[...]`` with an ack id, ``42/,[...]`` naming the main namespace,
``42 [...]``, several packets in one long-polling body), so the edge decodes
with the same code as Rasa's socket.io server and judges what that decodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from engineio import packet as eio
from engineio.payload import Payload
from socketio import packet as sio

# What `session_request` may name: the uuid4 hex the server issues (channels.SocketIOInput).
SESSION_ID = re.compile(r"[0-9a-f]{32}")
# engine.io's own session ids (the `sid` query parameter): 20 url-safe characters in python-engineio.
ENGINE_SID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Malformed(ValueError):
    """Traffic the server would not read the way the edge does; it is refused."""


@dataclass(frozen=True)
class Event:
    name: str
    args: tuple[Any, ...]
    # Its engine.io packet's place in the frame or body it came in.
    packet: int = 0

    def first(self) -> Optional[dict]:
        """The event's first argument when it is an object (socket.io clients send one)."""
        return self.args[0] if self.args and isinstance(self.args[0], dict) else None


@dataclass
class Traffic:
    """What one websocket frame or one long-polling body holds: its messages and, among them, its events."""

    messages: int = 0
    events: list[Event] = field(default_factory=list)
    # engine.io packets that are no message: pings, pongs, upgrades, closes.
    others: int = 0
    packets: list[eio.Packet] = field(default_factory=list)


def read_frame(frame: str) -> Traffic:
    """One websocket text frame: one engine.io packet."""
    return _read([_engine_packet(frame)])


def read_polling_body(body: bytes) -> Traffic:
    """A long-polling POST body: engine.io packets separated by ``\\x1e``."""
    try:
        payload = Payload(encoded_payload=body.decode("utf-8"))
    except (ValueError, KeyError, IndexError) as error:
        # Too many packets in one body, undecodable text or packets.
        raise Malformed(f"not an engine.io payload: {error}") from None
    return _read(payload.packets)


def _engine_packet(frame: str) -> eio.Packet:
    try:
        return eio.Packet(encoded_packet=frame)
    except (ValueError, IndexError) as error:
        raise Malformed(f"not an engine.io packet: {error}") from None


def _read(packets: list[eio.Packet]) -> Traffic:
    traffic = Traffic(packets=packets)
    for index, packet in enumerate(packets):
        if packet.packet_type != eio.MESSAGE:
            traffic.others += 1
            continue
        traffic.messages += 1
        event = _event(packet, index)
        if event is not None:
            traffic.events.append(event)
    return traffic


def polling_body(packets: list[eio.Packet]) -> bytes:
    """A long-polling body of ``packets``, as the server reads and writes them."""
    return Payload(packets=packets).encode().encode("utf-8")


def flush_packet() -> eio.Packet:
    """A packet the server answers with a no-op at once: it ends a waiting long-poll GET without a message."""
    return eio.Packet(eio.UPGRADE)


def message_packet(data: str) -> eio.Packet:
    return eio.Packet(eio.MESSAGE, data=data)


def _event(packet: eio.Packet, index: int) -> Optional[Event]:
    if packet.binary or not isinstance(packet.data, str):
        # The assistant's socket.io events are JSON; binary ones would slip past every check.
        raise Malformed("binary or non-text socket.io messages are not accepted")
    decoded = sio.Packet()
    try:
        attachments = decoded.decode(packet.data)
    except (ValueError, TypeError, IndexError, RecursionError) as error:
        raise Malformed(f"not a socket.io packet: {error}") from None
    if attachments or decoded.packet_type in (sio.BINARY_EVENT, sio.BINARY_ACK):
        raise Malformed("binary socket.io packets are not accepted")
    if decoded.packet_type != sio.EVENT:
        # Connect, disconnect and acks reach no event handler.
        return None
    data = decoded.data
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise Malformed("a socket.io event must be a list starting with its name")
    return Event(data[0], tuple(data[1:]), index)


def session_id_allowed(value: object) -> bool:
    """None or empty (the server issues one), else exactly the format the server issues."""
    return value in (None, "") or (isinstance(value, str) and SESSION_ID.fullmatch(value) is not None)


def engine_sid_allowed(value: str) -> bool:
    return ENGINE_SID.fullmatch(value) is not None
