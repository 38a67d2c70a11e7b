"""The real assistant through the real web front: REST, socket.io and health."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Callable

import aiohttp
import pytest
import requests
import socketio

from bot.channels.bodies import load_messages
from bot.web.proxy import socketio_frame
from tests.conftest import LANGS

pytestmark = pytest.mark.servers

QUESTIONS = {
    "en": ("How many Norwegian soldiers are in UN missions?", "Source:"),
    "es": ("¿Cuántos soldados noruegos hay en misiones de la ONU?", "Fuente:"),
    "nb": ("Hvor mange norske soldater er i FN-operasjoner?", "Kilde:"),
}


def say(stack, text: str, **extra) -> requests.Response:  # type: ignore[no-untyped-def]
    return requests.post(
        f"{stack.url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": text, **extra}, timeout=60
    )


def test_health_reports_both_servers_up(stack) -> None:  # type: ignore[no-untyped-def]
    response = requests.get(f"{stack.url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "rasa": "up", "actions": "up", "replicas": [{"replica": 0, "rasa": "up", "actions": "up"}],
        "channels": ["facebook", "privacy", "rest", "slack", "socketio", "telegram"],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_rest_webhook_through_the_front(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    question, marker = QUESTIONS[lang]
    response = say(stack, question)
    assert response.status_code == 200
    reply = "\n".join(m.get("text", "") for m in response.json())
    assert "45" in reply and marker in reply
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_locale_sets_the_first_reply_language(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    marker = QUESTIONS[lang][1]
    reply = "\n".join(m.get("text", "") for m in say(stack, "MINUSMA", metadata={"locale": lang}).json())
    assert marker in reply


@pytest.mark.parametrize("data", [b"null", b"[]", b"{}", b'{"sender": "s", "message": 5}'])
def test_malformed_bodies_never_reach_rasa_as_500(stack, data: bytes) -> None:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    response = requests.post(f"{stack.url}/webhooks/rest/webhook", data=data, headers=headers, timeout=10)
    assert response.status_code == 400 and response.json()["error"]


@pytest.mark.parametrize("transport", ["polling", "websocket"])
@pytest.mark.parametrize("lang", LANGS)
async def test_socketio_through_the_front(stack, transport: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    question, marker = QUESTIONS[lang]
    replies = await _socketio_exchange(
        stack, transport, {"message": question, "customData": {"locale": lang}},
        done=lambda replies: any(marker in r.get("text", "") for r in replies),
    )
    assert any("45" in r.get("text", "") for r in replies), replies


@pytest.mark.parametrize("lang", LANGS)
async def test_too_long_a_socketio_message_gets_a_reply_from_the_edge(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    replies = await _socketio_exchange(
        stack, "websocket", {"message": "x" * 1500, "customData": {"locale": lang}}, done=bool
    )
    expected = load_messages()["message_too_long"][lang].format(limit=stack.settings.web_max_message_chars)
    assert replies == [{"text": expected}]


async def _socketio_exchange(  # type: ignore[no-untyped-def]
    stack, transport: str, message: dict, done: Callable[[list[dict]], bool]
) -> list[dict]:
    """Sends one user message over socket.io; the bot's messages once ``done(messages)``."""
    exchange = _over_polling if transport == "polling" else _over_websocket
    return await asyncio.wait_for(exchange(stack.url, {**message, "session_id": uuid.uuid4().hex}, done), 90)


async def _over_polling(url: str, message: dict, done: Callable[[list[dict]], bool]) -> list[dict]:
    client = socketio.AsyncClient(reconnection=False)
    replies: list[dict] = []
    confirmed, answered = asyncio.Event(), asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())

    @client.on("bot_uttered")
    async def on_bot(data) -> None:  # type: ignore[no-untyped-def]
        replies.append(data)
        if done(replies):
            answered.set()

    await client.connect(url, transports=["polling"], socketio_path="socket.io")
    try:
        await client.emit("session_request", {"session_id": message["session_id"]})
        await confirmed.wait()
        await client.emit("user_uttered", message)
        await answered.wait()
        return replies
    finally:
        await client.disconnect()


async def _over_websocket(url: str, message: dict, done: Callable[[list[dict]], bool]) -> list[dict]:
    """Engine.io 4 / socket.io 5 spoken by hand: python-engineio's websocket client
    needs a newer aiohttp than Rasa 3.6 allows."""
    replies: list[dict] = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket") as ws:
            await _expect(ws, "0")  # engine.io open
            await ws.send_str("40")  # socket.io connect, main namespace
            await _expect(ws, "40")
            await ws.send_str(socketio_frame("session_request", {"session_id": message["session_id"]}))
            await _expect(ws, '42["session_confirm"')
            await ws.send_str(socketio_frame("user_uttered", message))
            while not done(replies):
                name, data = await _next_event(ws)
                if name == "bot_uttered":
                    replies.append(data)
    return replies


async def _next_event(ws: aiohttp.ClientWebSocketResponse) -> tuple:
    while True:
        frame = await ws.receive_str()
        if frame == "2":  # engine.io ping
            await ws.send_str("3")
        elif frame.startswith("42"):
            return tuple(json.loads(frame[2:]))


async def _expect(ws: aiohttp.ClientWebSocketResponse, prefix: str) -> str:
    while True:
        frame = await ws.receive_str()
        if frame.startswith(prefix):
            return frame
        if frame == "2":
            await ws.send_str("3")
