"""The socket.io channel's own handlers (bot/channels/socketio.py), called as python-socketio calls them."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.socketio import SocketIOInput
from tests.conftest import LANGS

SESSION = "0123456789abcdef0123456789abcdef"


class FakeRooms:
    """What the server was asked to do: rooms joined (awaited, as python-socketio 5 needs) and events sent."""

    def __init__(self) -> None:
        self.joined: list[tuple[str, str]] = []
        self.emitted: list[tuple[str, Any, str]] = []

    async def enter_room(self, sid: str, room: str, namespace: Any = None) -> None:
        self.joined.append((sid, room))

    async def emit(self, event: str, data: Any = None, room: str = "", **_: Any) -> None:
        self.emitted.append((event, data, room))


@pytest.fixture
def channel() -> tuple[SocketIOInput, FakeRooms, list[UserMessage]]:
    received: list[UserMessage] = []

    async def assistant(message: UserMessage) -> None:
        received.append(message)

    channel = SocketIOInput(session_persistence=True, metadata_key="customData")
    channel.blueprint(assistant)
    rooms = FakeRooms()
    channel.sio.enter_room, channel.sio.emit = rooms.enter_room, rooms.emit  # type: ignore[union-attr]
    return channel, rooms, received


def _handler(channel: SocketIOInput, event: str) -> Any:
    return channel.sio.handlers["/"][event]  # type: ignore[union-attr]


async def test_a_visitor_joins_the_room_of_their_session(channel) -> None:  # type: ignore[no-untyped-def]
    socket, rooms, _ = channel
    await _handler(socket, "session_request")("sid-1", {"session_id": SESSION})
    assert rooms.joined == [("sid-1", SESSION)]
    assert rooms.emitted == [("session_confirm", SESSION, "sid-1")]


async def test_a_visitor_without_a_session_gets_a_new_one(channel) -> None:  # type: ignore[no-untyped-def]
    socket, rooms, _ = channel
    await _handler(socket, "session_request")("sid-1", None)
    [(_, session)] = rooms.joined
    assert len(session) == 32 and rooms.emitted == [("session_confirm", session, "sid-1")]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_message_reaches_the_assistant_with_its_locale_alone(channel, lang: str) -> None:  # type: ignore[no-untyped-def]
    socket, _, received = channel
    await _handler(socket, "session_request")("sid-1", {"session_id": SESSION})
    data = {"message": "hola", "session_id": SESSION, "customData": {"locale": lang, "email": "a@example.org"}}
    await _handler(socket, "user_uttered")("sid-1", data)
    [message] = received
    # Filed under socket.io's own namespace: no other channel's conversation has this key.
    assert (message.sender_id, message.text, message.metadata) == (f"socketio:{SESSION}", "hola", {"locale": lang})


@pytest.mark.parametrize("lang", LANGS)
async def test_a_socket_posts_only_into_the_session_it_asked_for(channel, lang: str) -> None:  # type: ignore[no-untyped-def]
    socket, _, received = channel
    message = {"message": "hola" if lang == "es" else "hello", "customData": {"locale": lang}}
    # A fresh socket with no session_request, naming a visitor's session (or a Telegram chat id).
    await _handler(socket, "user_uttered")("sid-2", {**message, "session_id": SESSION})
    await _handler(socket, "user_uttered")("sid-2", {**message, "session_id": "123456789"})
    # A socket bound to its own session, naming another.
    await _handler(socket, "session_request")("sid-3", {"session_id": "f" * 32})
    await _handler(socket, "user_uttered")("sid-3", {**message, "session_id": SESSION})
    # Once gone, a socket's binding is forgotten.
    await _handler(socket, "session_request")("sid-4", {"session_id": SESSION})
    await _handler(socket, "disconnect")("sid-4")
    await _handler(socket, "user_uttered")("sid-4", {**message, "session_id": SESSION})
    assert received == []


@pytest.mark.parametrize("data", [None, "hola", [], {"message": "hi"}])
async def test_data_that_is_not_an_object_or_names_no_session_is_dropped(channel, data: Any) -> None:  # type: ignore[no-untyped-def]
    socket, _, received = channel
    await _handler(socket, "user_uttered")("sid-1", data)
    assert received == []


@pytest.mark.parametrize("text", [5, "", "   ", "\t\n"], ids=["not text", "empty", "spaces", "tab and newline"])
async def test_a_message_without_any_text_is_not_passed_on(channel, text) -> None:  # type: ignore[no-untyped-def]
    # rasa-webchat sends one when its window opens: a visitor who typed nothing asked nothing.
    socket, _, received = channel
    await _handler(socket, "session_request")("sid-1", {"session_id": SESSION})
    await _handler(socket, "user_uttered")("sid-1", {"message": text, "session_id": SESSION, "customData": "x"})
    assert received == []


async def test_odd_metadata_is_dropped_and_the_message_passed_on(channel) -> None:  # type: ignore[no-untyped-def]
    socket, _, received = channel
    await _handler(socket, "session_request")("sid-1", {"session_id": SESSION})
    await _handler(socket, "user_uttered")("sid-1", {"message": "😀", "session_id": SESSION, "customData": "x"})
    [message] = received
    assert (message.text, message.metadata) == ("😀", None)
