"""One conversation per channel and visitor, against the whole assistant as `make run` starts it.

The attacks of issue 26 replayed as loopback clients: a web client that knows
a Telegram chat id or a Slack user id reads, writes or deletes nothing of that
conversation, over REST, socket.io or the privacy webhook; "clear
conversation" needs the conversation's token, or a trusted back end's
REST_SHARED_SECRET. Telegram and Slack talk to a stand-in of their APIs
(tests/bot/web/standin.py).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from dataclasses import replace
from typing import Iterator

import aiohttp
import pytest
import requests

from bot.channels.keys import REST, SOCKETIO, conversation_key, slack_key
from bot.runtime.endpoints import conversations_db
from bot.web.balance import platform_key
from bot.web.proxy import socketio_frame
from tests.bot.web.stack import Stack, start_stack
from tests.bot.web.test_stack import _expect
from tests.bot.web.test_platforms import (
    MARKER, QUESTION, post_slack, post_update, sent_to, slack_event, slack_posts, telegram_message, telegram_user,
    text_of,
)
from tests.conftest import LANGS
from tests.servers import Assistant, loopback_settings, start_assistant

pytestmark = pytest.mark.servers

# Each language's "other" is the next in the registry, so that every language is asked for.
OTHER = {lang: LANGS[(LANGS.index(lang) + 1) % len(LANGS)] for lang in LANGS}
# How an attacker asks for a language, in that language's own words.
ASK_FOR = {"en": "english please", "es": "en español por favor", "nb": "kan du svare på norsk?"}
# Asking, in the attacker's words, for the other language than the victim's.
SWITCH = {lang: ASK_FOR[OTHER[lang]] for lang in LANGS}
BACK_END_SECRET = "a-back-end-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    running = start_stack("apart")
    try:
        yield running
    finally:
        running.stop()


def stored(stack: Stack, sender: str) -> int:
    with sqlite3.connect(conversations_db(stack.settings)) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def settled(stack: Stack, sender: str, timeout: float = 30.0) -> int:
    """The events stored for ``sender`` once there are some: Slack's turns end after the reply is posted."""
    deadline = time.monotonic() + timeout
    while (count := stored(stack, sender)) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


def rest(stack: Stack, sender: str, message: str) -> requests.Response:
    return requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)


def forget(stack: Stack, sender: str) -> requests.Response:
    return requests.post(f"{stack.url}/webhooks/privacy/forget", json={"sender": sender}, timeout=60)


@pytest.mark.parametrize("lang", LANGS)
def test_rest_neither_reads_nor_writes_a_telegram_conversation(stack: Stack, lang: str) -> None:
    user = telegram_user(lang)
    update = telegram_message(user, QUESTION[lang])
    post_update(stack, update)
    assert MARKER[lang] in text_of(sent_to(stack, user["id"]))
    # The front locks the conversation under the key Rasa stores it under.
    key = platform_key("telegram", json.dumps(update).encode())
    before = stored(stack, key)
    assert key == f"telegram:{user['id']}" and before > 0

    chat_id = str(user["id"])
    # Write: ask for the other language as the chat; read: a question answered from that conversation.
    for sender in (chat_id, key):
        assert rest(stack, sender, SWITCH[lang]).status_code == 200
        reply = "\n".join(m.get("text", "") for m in rest(stack, sender, "MINUSMA").json())
        # Answered from the REST sender's own conversation, which took the switch.
        assert MARKER[OTHER[lang]] in reply, reply

    assert stored(stack, key) == before
    assert stored(stack, conversation_key(REST, chat_id)) > 0
    # The Telegram user's next answer keeps their language.
    post_update(stack, telegram_message(user, "MINUSMA"))
    calls = stack.standin.wait_for(lambda c: c.method == "sendMessage" and c.fields["chat_id"] == chat_id, count=2)
    assert MARKER[lang] in text_of(calls[1:]) and MARKER[OTHER[lang]] not in text_of(calls[1:])


@pytest.mark.parametrize("lang", LANGS)
def test_rest_does_not_reach_a_slack_conversation(stack: Stack, lang: str) -> None:
    user, channel = f"U{uuid.uuid4().hex[:10].upper()}", f"D{uuid.uuid4().hex[:10].upper()}"
    event = slack_event(user, channel, QUESTION[lang])
    post_slack(stack, event)
    assert MARKER[lang] in "\n".join(p.fields.get("text", "") for p in slack_posts(stack, channel))
    key = slack_key(event["team_id"], user)
    assert platform_key("slack", json.dumps(event).encode()) == key
    before = settled(stack, key)
    assert before > 0

    for sender in (user, key, f"{event['team_id']}:{user}"):
        assert rest(stack, sender, SWITCH[lang]).status_code == 200
    assert stored(stack, key) == before


@pytest.mark.parametrize("lang", LANGS)
def test_a_socket_without_its_session_request_posts_nowhere(stack: Stack, lang: str) -> None:
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, QUESTION[lang]))
    sent_to(stack, user["id"])
    key = f"telegram:{user['id']}"
    before = stored(stack, key)

    async def attack() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{stack.url}/socket.io/?EIO=4&transport=websocket") as ws:
                await _expect(ws, "0")  # engine.io open
                await ws.send_str("40")  # socket.io connect, main namespace
                await _expect(ws, "40")
                # A fresh socket, no session_request, naming the chat as its session.
                await ws.send_str(socketio_frame("user_uttered", {"message": SWITCH[lang], "session_id": str(user["id"])}))
                await asyncio.sleep(3)

    asyncio.run(asyncio.wait_for(attack(), 30))
    assert stored(stack, key) == before
    assert stored(stack, conversation_key(SOCKETIO, user["id"])) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_forget_with_a_bare_id_deletes_nothing_and_with_the_token_deletes_only_that(stack: Stack, lang: str) -> None:
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, QUESTION[lang]))
    sent_to(stack, user["id"])
    telegram = f"telegram:{user['id']}"
    sender = uuid.uuid4().hex
    replies = rest(stack, sender, QUESTION[lang]).json()
    token = replies[0]["metadata"]["token"]
    web, telegram_before = conversation_key(REST, sender), stored(stack, telegram)
    web_before = stored(stack, web)

    for bare in (str(user["id"]), telegram, sender, web, f"{user['id']}.{'0' * 32}"):
        response = forget(stack, bare)
        assert response.status_code == 403 and "token" in response.json()["error"], bare
    assert (stored(stack, telegram), stored(stack, web)) == (telegram_before, web_before)

    response = forget(stack, token)
    assert response.status_code == 200 and response.json() == {"deleted": True}
    assert (stored(stack, telegram), stored(stack, web)) == (telegram_before, 0)


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Rasa and the action server with a REST shared secret for trusted back ends."""
    settings = replace(loopback_settings(), var_dir=str(tmp_path_factory.mktemp("var")))
    assistant = start_assistant("trusting", settings, extra_env={"REST_SHARED_SECRET": BACK_END_SECRET})
    try:
        yield assistant
    finally:
        assistant.stop()


@pytest.mark.parametrize("lang", LANGS)
def test_a_trusted_back_end_forgets_its_sender_by_id(trusting: Assistant, lang: str) -> None:
    base = trusting.settings.rasa_url
    sender = f"user-{uuid.uuid4().hex[:6]}"
    body = {"sender": sender, "message": QUESTION[lang], "metadata": {"locale": lang}}
    replies = requests.post(trusting.rest_url, json=body, timeout=60).json()
    assert MARKER[lang] in "\n".join(reply.get("text", "") for reply in replies)
    database, key = conversations_db(trusting.settings), conversation_key(REST, sender)
    with sqlite3.connect(database) as db:
        count = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (key,)).fetchone()[0]
    assert count > 0

    def forget_as(secret: str) -> requests.Response:
        headers = {"X-Rest-Secret": secret.encode("utf-8")}
        return requests.post(f"{base}/webhooks/privacy/forget", json={"sender": sender}, headers=headers, timeout=60)

    for wrong in ("", "not-the-secret", BACK_END_SECRET + " ", "sécret"):
        assert forget_as(wrong).status_code == 403
    response = forget_as(BACK_END_SECRET)
    assert response.status_code == 200 and response.json() == {"deleted": True}
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (key,)).fetchone()[0] == 0
