"""Degenerate messages on every channel, end to end: each is answered politely or ignored.

A conversation mix (real questions beside empty and whitespace messages,
stickers, photos, locations, edits, bot posts, echoes, retries, unknown
buttons) goes over socket.io, REST, Telegram, Slack and Messenger through the
web front to the real servers. Whatever has no words gets the rephrase prompt
in the conversation's language; an empty socket.io message (rasa-webchat's
opening) and whatever is no new user turn get nothing.
Afterwards the Rasa and front logs must hold no traceback and no
"Task exception was never retrieved".
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Callable

import pytest
import requests
import socketio
import yaml

from tests.conftest import LANGS, ROOT
from tests.servers import LOGS
from tests.bot.web.stack import PLATFORM_ENV
from tests.bot.web.standin import Call
from tests.bot.web.test_platforms import (
    MARKER, QUESTION, post_slack, post_update, slack_event, telegram_button, telegram_message, telegram_user,
)
from tests.bot.web.test_stack import _socketio_exchange

pytestmark = pytest.mark.servers
_ids = itertools.count(int(time.time() * 1000))
QUIET_SECONDS = 2.0


def response(name: str, lang: str) -> str:
    """The text of the domain's response ``name`` in ``lang``."""
    variants = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][name]
    for variant in variants:
        if any(c.get("name") == "language" and c.get("value") == lang for c in variant.get("condition", [])):
            return variant["text"]
    return next(v for v in variants if not v.get("condition"))["text"]


def rephrase(lang: str) -> str:
    return response("utter_fallback_rephrase", lang)


def other(lang: str) -> str:
    return next(language for language in LANGS if language != lang)


# -- socket.io and REST --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\t\n"], ids=["empty", "spaces", "tab and newline"])
@pytest.mark.parametrize("lang", LANGS)
async def test_an_empty_socketio_message_gets_nothing_and_the_question_after_it_its_answer(  # type: ignore[no-untyped-def]
    stack, text: str, lang: str
) -> None:
    # What rasa-webchat sends when its window opens, then the visitor's first question.
    client = socketio.AsyncClient(reconnection=False)
    replies: list[dict] = []
    confirmed, answered = asyncio.Event(), asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())

    @client.on("bot_uttered")
    async def on_bot(data) -> None:  # type: ignore[no-untyped-def]
        replies.append(data)
        if MARKER[lang] in data.get("text", ""):
            answered.set()

    await client.connect(stack.url, transports=["polling"], socketio_path="socket.io")
    try:
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        for message in (text, QUESTION[lang]):
            await client.emit("user_uttered", {"message": message, "session_id": session, "customData": {"locale": lang}})
        await asyncio.wait_for(answered.wait(), 90)
    finally:
        await client.disconnect()
    texts = [reply.get("text", "") for reply in replies]
    assert rephrase(lang) not in texts and MARKER[lang] in "\n".join(texts), texts


# A message that is not text reads as no words, and so gets nothing (above); odd metadata is dropped.
@pytest.mark.parametrize("data", [{"message": "hi", "customData": "not json"}, {"message": "hi", "customData": [1]}])
async def test_odd_socketio_fields_get_an_answer_not_a_failure(stack, data: dict) -> None:  # type: ignore[no-untyped-def]
    replies = await _socketio_exchange(stack, "polling", data, done=bool)
    assert replies and replies[0]["text"]


@pytest.mark.parametrize("text", ["", "   "])
def test_rest_refuses_an_empty_message_as_before(stack, text: str) -> None:  # type: ignore[no-untyped-def]
    response = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": text},
                             timeout=30)
    assert response.status_code == 400


# -- Telegram ------------------------------------------------------------------------------


def telegram_sent(stack, user: dict, count: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    calls = stack.standin.wait_for(
        lambda c: c.method == "sendMessage" and c.fields["chat_id"] == str(user["id"]), count=count
    )
    return [c.fields["text"] for c in calls]


def nothing_sent(stack, match: Callable[[Call], bool]) -> bool:  # type: ignore[no-untyped-def]
    time.sleep(QUIET_SECONDS)
    return not [c for c in stack.standin.calls if match(c)]


def telegram_with(user: dict, **parts: object) -> dict:
    update = telegram_message(user, "x")
    del update["message"]["text"]
    update["message"].update(parts)
    return update


TELEGRAM_WORDLESS = {
    "sticker": {"sticker": {"file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADAQAD", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular", "emoji": "😀"}},
    "photo": {"photo": [{"file_id": "AgACAgQAAxkB", "file_unique_id": "AQADAQAD", "width": 90, "height": 67}]},
    "location": {"location": {"latitude": 59.9139, "longitude": 10.7522}},
    "voice": {"voice": {"file_id": "AwACAgQAAxkB", "file_unique_id": "AgADAQAD", "duration": 2}},
}


@pytest.mark.parametrize("kind", list(TELEGRAM_WORDLESS))
@pytest.mark.parametrize("lang", LANGS)
def test_a_telegram_message_without_words_gets_the_rephrase_prompt(stack, lang: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    assert post_update(stack, telegram_with(user, **TELEGRAM_WORDLESS[kind])).status_code == 200
    assert telegram_sent(stack, user) == [rephrase(lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_telegram_photo_caption_is_read_as_the_question(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_with(user, caption=QUESTION[lang], **TELEGRAM_WORDLESS["photo"]))
    reply = "\n".join(telegram_sent(stack, user))
    assert "45" in reply and MARKER[lang] in reply


def test_telegram_edits_and_service_messages_get_no_reply(stack) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user("en")
    edited = telegram_message(user, QUESTION["en"])
    edited["edited_message"] = {**edited.pop("message"), "edit_date": int(time.time())}
    live_location = telegram_with(user, **TELEGRAM_WORDLESS["location"])
    live_location["edited_message"] = live_location.pop("message")
    joined = telegram_with(user, new_chat_members=[user])
    for update in (edited, live_location, joined):
        response = post_update(stack, update)
        assert response.status_code == 200 and response.text == "success"
    assert nothing_sent(stack, lambda c: c.fields.get("chat_id") == str(user["id"]))


@pytest.mark.parametrize("lang", LANGS)
def test_a_telegram_button_with_unknown_data_gets_a_prompt_not_a_fact(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_button(user, "42:7"))
    [reply] = telegram_sent(stack, user)
    assert reply in (rephrase(lang), response("utter_out_of_scope", lang))


# -- Slack ---------------------------------------------------------------------------------


def slack_with(**event: object) -> tuple[dict, str]:
    channel = f"D{next(_ids)}"
    payload = slack_event(f"U{next(_ids)}", channel, "x")
    payload["event"].update(event)
    payload["event"] = {k: v for k, v in payload["event"].items() if v is not None}
    return payload, channel


def slack_posts(stack, channel: str, count: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    calls = stack.standin.wait_for(
        lambda c: c.platform == "slack" and c.method == "chat.postMessage" and c.fields.get("channel") == channel,
        count=count,
    )
    return [c.fields.get("text", "") for c in calls]


def test_a_slack_file_without_words_gets_the_rephrase_prompt(stack) -> None:  # type: ignore[no-untyped-def]
    payload, channel = slack_with(subtype="file_share", text="", files=[{"id": "F1", "name": "map.png"}])
    assert post_slack(stack, payload).status_code == 200
    assert slack_posts(stack, channel) == [rephrase("en")]


def test_a_slack_file_with_words_is_answered(stack) -> None:  # type: ignore[no-untyped-def]
    payload, channel = slack_with(subtype="file_share", text=QUESTION["es"], files=[{"id": "F1"}])
    post_slack(stack, payload)
    reply = "\n".join(slack_posts(stack, channel))
    assert "45" in reply and MARKER["es"] in reply


@pytest.mark.parametrize(
    "event",
    [
        {"subtype": "message_changed", "text": None, "message": {"type": "message", "text": "How many soldiers?"}},
        {"subtype": "bot_message", "bot_id": "B0BOT", "text": "an answer of ours"},
        {"bot_id": "B0BOT", "text": "an answer of ours, without subtype"},
        {"subtype": "message_deleted", "text": None},
        {"subtype": "channel_join", "text": "<@U1> has joined the channel"},
    ],
    ids=["edit", "bot message", "bot reply", "deletion", "join"],
)
def test_slack_events_without_a_new_user_turn_get_no_reply(stack, event: dict) -> None:  # type: ignore[no-untyped-def]
    payload, channel = slack_with(**event)
    assert post_slack(stack, payload).status_code == 200
    assert nothing_sent(stack, lambda c: c.fields.get("channel") == channel)


@pytest.mark.parametrize("reason", ["http_error", "http_timeout"])
def test_a_slack_retry_is_answered_once(stack, reason: str) -> None:  # type: ignore[no-untyped-def]
    payload, channel = slack_with(text=QUESTION["en"])
    post_slack(stack, payload)
    answer = slack_posts(stack, channel)
    assert "45" in answer[0]
    retry = post_slack(stack, payload, retry=(1, reason))
    assert retry.status_code in (200, 201)
    time.sleep(QUIET_SECONDS)
    assert slack_posts(stack, channel) == answer


# -- Messenger -----------------------------------------------------------------------------


def post_messenger(stack, *events: dict, secret: str = PLATFORM_ENV["FACEBOOK_SECRET"]):  # type: ignore[no-untyped-def]
    """A page webhook call, signed as Facebook signs it (X-Hub-Signature, sha1)."""
    body = json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": int(time.time() * 1000),
                                                    "messaging": list(events)}]}).encode()
    signature = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return requests.post(f"{stack.url}/webhooks/facebook/webhook", data=body, timeout=60,
                         headers={"Content-Type": "application/json", "X-Hub-Signature": signature})


def messenger_event(sender: str, **parts: object) -> dict:
    return {"sender": {"id": sender}, "recipient": {"id": "PAGE"}, "timestamp": int(time.time() * 1000), **parts}


def messenger_texts(stack, sender: str, count: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    calls = stack.standin.wait_for(lambda c: _messenger_text_to(c, sender), count=count)
    assert all(c.token == PLATFORM_ENV["FACEBOOK_PAGE_ACCESS_TOKEN"] for c in calls)
    return [c.fields["message"]["text"] for c in calls]


def _messenger_text_to(call: Call, sender: str) -> bool:
    return (call.platform == "messenger" and call.fields.get("recipient", {}).get("id") == sender
            and "text" in call.fields.get("message", {}))


@pytest.mark.parametrize("lang", LANGS)
def test_messenger_answers_text_attachments_and_postbacks_and_ignores_echoes(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    asker, sender, clicker = (f"P{next(_ids)}" for _ in range(3))
    image = {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1/photo.jpg"}}
    response = post_messenger(
        stack,
        messenger_event(asker, message={"mid": "m1", "text": QUESTION[lang]}),
        messenger_event(sender, message={"mid": "m2", "attachments": [image]}),
        messenger_event(clicker, postback={"title": "NATO", "payload": "/ask_nato"}),
        messenger_event(asker, message={"mid": "m3", "is_echo": True, "app_id": 1, "text": "an answer of ours"}),
        messenger_event(asker, delivery={"mids": ["m1"], "watermark": 1}),
    )
    assert response.status_code == 200
    answer = "\n".join(messenger_texts(stack, asker))
    assert "45" in answer and MARKER[lang] in answer
    assert messenger_texts(stack, sender) == [rephrase("en")]  # no words, no locale: the default language
    assert any(MARKER["en"] in text for text in messenger_texts(stack, clicker))


def test_messenger_refuses_a_bad_signature_without_failing(stack) -> None:  # type: ignore[no-untyped-def]
    sender = f"P{next(_ids)}"
    assert post_messenger(stack, messenger_event(sender, message={"text": "hi"}), secret="wrong").status_code == 403
    bad_header = requests.post(f"{stack.url}/webhooks/facebook/webhook", data=b"{}", timeout=30,
                               headers={"X-Hub-Signature": "nohash=abc"})
    assert bad_header.status_code == 403
    assert nothing_sent(stack, lambda c: _messenger_text_to(c, sender))


# -- the logs afterwards: runs last in this module --------------------------------------------


async def test_the_logs_hold_no_traceback_after_a_degenerate_mix_on_every_channel(stack) -> None:  # type: ignore[no-untyped-def]
    """The mix below, and everything the tests before it sent to the same servers."""
    for transport in ("polling", "websocket"):
        # The empty ones were sent above, on these servers; they get nothing to wait for.
        for text in ("\u200b", "😀", "x" * 900):
            await _socketio_exchange(stack, transport, {"message": text}, done=bool)
    for text in ("", "   ", "\x00\x07", QUESTION["es"]):
        requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": text}, timeout=30)
    user = telegram_user("es")
    for parts in (*TELEGRAM_WORDLESS.values(), {"text": ""}, {"text": QUESTION["es"]}):
        post_update(stack, telegram_with(user, **parts))
    post_update(stack, telegram_button(user, "42:7"))
    for event in ({"subtype": "file_share", "text": ""}, {"subtype": "message_changed", "text": None},
                  {"bot_id": "B0BOT", "text": "ours"}, {"text": "   "}, {"text": QUESTION["en"]}):
        payload, _ = slack_with(**event)
        post_slack(stack, payload)
        post_slack(stack, payload, retry=(1, "http_error"))
    sender = f"P{next(_ids)}"
    post_messenger(stack, messenger_event(sender, message={"attachments": [{"type": "sticker"}]}),
                   messenger_event(sender, message={"text": ""}), messenger_event(sender, postback={"payload": "42:7"}),
                   messenger_event(sender, message={"is_echo": True, "attachments": [{"type": "image"}]}))
    time.sleep(QUIET_SECONDS)  # Slack's turns run after its webhook has answered

    problems = {}
    for role in ("rasa", "web"):
        found = [line for line in stack.log_since_start(role).splitlines()
                 if "Traceback" in line or "Task exception was never retrieved" in line]
        if found:
            problems[role] = found
    assert not problems, f"see {LOGS}/{stack.name}-*.log: {problems}"
