"""Telegram and Slack end to end: the platform's webhook in, the platform's API called back.

The updates and events below have the exact shape the platforms send; they
reach the assistant through the web front, and its replies go to a stand-in
of the platform API on loopback (tests/bot/web/standin.py).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

import pytest
import requests

from tests.conftest import LANGS
from tests.bot.web.stack import PLATFORM_ENV
from tests.bot.web.standin import TELEGRAM_BOT, Call

MARKER = {"en": "Source:", "es": "Fuente:", "nb": "Kilde:"}
QUESTION = {
    "en": "How many Norwegian soldiers are in UN missions?",
    "es": "¿Cuántos soldados noruegos hay en misiones de la ONU?",
    "nb": "Hvor mange norske soldater er i FN-operasjoner?",
}
NAMES = {"en": ("Emma", "Hansen"), "es": ("Lucía", "García"), "nb": ("Ingrid", "Nilsen")}
# The two citations of an answer about MINUSMA: the 2019 page, and the UN on its closure since.
PAGE_URL = "https://www.norway.no/en/missions/UN/values-priorities/peace-stability-sec/"
UN_URL = "https://press.un.org/en/2023/sc15341.doc.htm"
CITATIONS = {
    "en": ((PAGE_URL, "Norway's government, “Peace, stability and security”, 2019"),
           (UN_URL, "United Nations, meetings coverage SC/15341, 30 June 2023")),
    "es": ((PAGE_URL, "Gobierno de Noruega, «Paz, estabilidad y seguridad», 2019"),
           (UN_URL, "Naciones Unidas, cobertura de reuniones SC/15341, 30 de junio de 2023")),
    "nb": ((PAGE_URL, "Norges regjering, «Fred, stabilitet og sikkerhet», 2019"),
           (UN_URL, "De forente nasjoner, møtereferat SC/15341, 30. juni 2023")),
}
AIMS = {"en": "What are Norway's aims?", "es": "¿Cuáles son los objetivos de Noruega?", "nb": "Hva er Norges mål?"}
_ids = itertools.count(int(time.time()))

pytestmark = pytest.mark.servers


# -- Telegram -------------------------------------------------------------------------


def telegram_user(lang: str, language_code: str | None = None) -> dict:
    """A Telegram user whose app is set to ``language_code`` (an IETF tag; ``lang`` by default)."""
    first, last = NAMES[lang]
    return {"id": next(_ids), "is_bot": False, "first_name": first, "last_name": last,
            "language_code": language_code or lang}


def telegram_message(user: dict, text: str) -> dict:
    """An Update with a private text message (https://core.telegram.org/bots/api#update)."""
    chat = {k: user[k] for k in ("id", "first_name", "last_name")} | {"type": "private"}
    message = {"message_id": next(_ids) % 100000, "from": user, "chat": chat, "date": int(time.time()), "text": text}
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": next(_ids), "message": message}


def telegram_button(user: dict, data: str) -> dict:
    """An Update for a press on an inline keyboard button under one of the bot's messages."""
    chat = {k: user[k] for k in ("id", "first_name", "last_name")} | {"type": "private"}
    bot_message = {"message_id": next(_ids) % 100000, "from": TELEGRAM_BOT, "chat": chat, "date": int(time.time()),
                   "text": "…"}
    callback = {"id": str(next(_ids)), "from": user, "message": bot_message, "chat_instance": "-4242", "data": data}
    return {"update_id": next(_ids), "callback_query": callback}


def post_update(stack, update: dict, secret: str | None = PLATFORM_ENV["TELEGRAM_SECRET_TOKEN"]):  # type: ignore[no-untyped-def]
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return requests.post(f"{stack.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60)


def sent_to(stack, chat_id: int) -> list[Call]:  # type: ignore[no-untyped-def]
    def match(call: Call) -> bool:
        return call.platform == "telegram" and call.method == "sendMessage" and call.fields["chat_id"] == str(chat_id)

    return stack.standin.wait_for(match)


def text_of(calls: list[Call]) -> str:
    return "\n".join(call.fields.get("text", "") for call in calls)


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_question_is_answered_in_its_language(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    response = post_update(stack, telegram_message(user, QUESTION[lang]))
    assert response.status_code == 200 and response.text == "success"
    reply = text_of(sent_to(stack, user["id"]))
    assert "45" in reply and MARKER[lang] in reply
    assert all(MARKER[other] not in reply for other in LANGS if other != lang), reply


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_language_sets_the_first_reply_language(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    # "MINUSMA" is the same in both languages: only the Telegram language can decide.
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, "MINUSMA"))
    assert MARKER[lang] in text_of(sent_to(stack, user["id"]))


@pytest.mark.parametrize("language_code", ["nb", "no", "nn-NO", "nb-NO"])
def test_telegram_set_to_norwegian_gets_a_norwegian_first_reply(stack, language_code: str) -> None:  # type: ignore[no-untyped-def]
    # Telegram sends what the app is set to: "nb", "no" or a regional tag; nynorsk is answered in bokmål.
    user = telegram_user("nb", language_code)
    post_update(stack, telegram_message(user, "MINUSMA"))
    reply = text_of(sent_to(stack, user["id"]))
    assert "Kilde:" in reply and "FN-operasjonen i Mali" in reply, reply
    assert all(MARKER[other] not in reply for other in LANGS if other != "nb"), reply

    greeted = telegram_user("nb", language_code)
    post_update(stack, telegram_message(greeted, "/start"))
    [greeting] = sent_to(stack, greeted["id"])
    assert greeting.fields["text"].startswith("Hei!"), greeting.fields["text"]


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_start_greets_with_buttons_that_work(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, "/start"))
    [greeting] = sent_to(stack, user["id"])
    assert greeting.fields["text"].startswith({"en": "Hello!", "es": "¡Hola!", "nb": "Hei!"}[lang])
    keyboard = json.loads(greeting.fields["reply_markup"])["inline_keyboard"]
    payloads = [button["callback_data"] for row in keyboard for button in row]
    assert "/ask_nato" in payloads

    post_update(stack, telegram_button(user, "/ask_nato"))
    calls = stack.standin.wait_for(
        lambda c: c.method == "sendMessage" and c.fields["chat_id"] == str(user["id"]), count=2
    )
    answer = text_of(calls[1:])
    assert {"en": "NATO", "es": "OTAN", "nb": "NATO"}[lang] in answer and MARKER[lang] in answer


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_shows_each_source_as_a_link_with_its_citation(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, "MINUSMA"))
    calls = stack.standin.wait_for(
        lambda c: c.method == "sendMessage" and c.fields["chat_id"] == str(user["id"])
    )
    assert {c.fields.get("parse_mode") for c in calls} == {"HTML"}
    reply = text_of(calls)
    for url, citation in CITATIONS[lang]:
        assert f'<a href="{url}">{citation}</a>' in reply
    # No bare Markdown reaches the visitor.
    assert "](" not in reply


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_lists_keep_one_item_a_line(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, AIMS[lang]))
    reply = text_of(sent_to(stack, user["id"]))
    numbered = [line[:3] for line in reply.splitlines() if line[:1].isdigit()]
    assert numbered == ["1. ", "2. ", "3. ", "4. ", "5. "]


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_answer_comes_with_rating_buttons_that_work(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang)
    post_update(stack, telegram_message(user, QUESTION[lang]))
    calls = sent_to(stack, user["id"])
    keyboards = [json.loads(c.fields["reply_markup"])["inline_keyboard"] for c in calls if "reply_markup" in c.fields]
    payloads = [button["callback_data"] for keyboard in keyboards for row in keyboard for button in row]
    down = '/rate_answer{"rating": "down"}'
    assert down in payloads and len(down.encode()) <= 64  # Telegram's limit for callback data

    post_update(stack, telegram_button(user, down))
    after = stack.standin.wait_for(
        lambda c: c.method == "sendMessage" and c.fields["chat_id"] == str(user["id"]), count=len(calls) + 1
    )
    assert {"en": "Thank you", "es": "Gracias", "nb": "Takk for at du sier fra"}[lang] in text_of(after[len(calls):])


def test_telegram_updates_without_the_secret_are_refused(stack) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user("en")
    for secret in (None, "wrong-secret"):
        response = post_update(stack, telegram_message(user, "hello"), secret=secret)
        assert response.status_code == 403
    time.sleep(1)
    assert not [c for c in stack.standin.calls if c.fields.get("chat_id") == str(user["id"])]


def test_telegram_webhook_was_registered_with_the_secret(stack) -> None:  # type: ignore[no-untyped-def]
    [registration] = [c for c in stack.standin.calls if c.method == "setWebhook"]
    assert registration.token == PLATFORM_ENV["TELEGRAM_TOKEN"]
    assert registration.fields == {
        "url": PLATFORM_ENV["TELEGRAM_WEBHOOK_URL"], "secret_token": PLATFORM_ENV["TELEGRAM_SECRET_TOKEN"]
    }


# -- Slack --------------------------------------------------------------------------------


def slack_event(user: str, channel: str, text: str) -> dict:
    """An Events API callback for a direct message to the app (https://api.slack.com/events/message.im)."""
    ts = f"{time.time():.6f}"
    return {
        "token": "ZZZZZZWSxiZZZ2yIvs3peJ",
        "team_id": "T061EG9R6",
        "api_app_id": "A0PNCHHK2",
        "event": {
            "type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
            "channel_type": "im", "client_msg_id": "5d3f4fbb-0b54-4cbd-9c6b-8a3a5dd5f7e0", "team": "T061EG9R6",
        },
        "type": "event_callback",
        "authorizations": [
            {"enterprise_id": None, "team_id": "T061EG9R6", "user_id": "U0BOTUSER", "is_bot": True,
             "is_enterprise_install": False}
        ],
        "event_id": f"Ev{next(_ids)}",
        "event_time": int(time.time()),
        "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
    }


def post_slack(  # type: ignore[no-untyped-def]
    stack, payload: dict, secret: str = PLATFORM_ENV["SLACK_SIGNING_SECRET"], retry: tuple[int, str] | None = None
):
    """Signed as Slack signs (https://api.slack.com/authentication/verifying-requests-from-slack);
    ``retry`` (number, reason) as Slack marks a repeated delivery."""
    raw = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry[0]), "X-Slack-Retry-Reason": retry[1]})
    return requests.post(f"{stack.url}/webhooks/slack/webhook", data=raw, headers=headers, timeout=60)


def slack_posts(stack, channel: str) -> list[Call]:  # type: ignore[no-untyped-def]
    return stack.standin.wait_for(
        lambda c: c.platform == "slack" and c.method == "chat.postMessage" and c.fields.get("channel") == channel
    )


@pytest.mark.parametrize("lang", LANGS)
def test_slack_question_is_answered_in_its_language(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user, channel = f"U{next(_ids)}", f"D{next(_ids)}"
    response = post_slack(stack, slack_event(user, channel, QUESTION[lang]))
    assert response.status_code == 200
    posts = slack_posts(stack, channel)
    assert all(p.token == PLATFORM_ENV["SLACK_TOKEN"] for p in posts)
    reply = "\n".join(p.fields.get("text", "") for p in posts)
    assert "45" in reply and MARKER[lang] in reply


@pytest.mark.parametrize("lang", LANGS)
def test_slack_shows_each_source_as_a_link_with_its_citation(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    post_slack(stack, slack_event(f"U{next(_ids)}", channel, {"en": "Tell me about MINUSMA", "es": "Háblame de la MINUSMA", "nb": "Fortell meg om MINUSMA"}[lang]))
    posts = stack.standin.wait_for(
        lambda c: c.platform == "slack" and c.method == "chat.postMessage" and c.fields.get("channel") == channel,
    )
    # One answer, one message: its text, and each source in a context block under its paragraph.
    reply = "\n".join(p.fields.get("text", "") + json.dumps(p.fields.get("blocks"), ensure_ascii=False) for p in posts)
    for url, citation in CITATIONS[lang]:
        assert f"<{url}|{citation}>" in reply
    assert "](" not in reply and MARKER[lang] in reply


def test_slack_lists_keep_one_item_a_line(stack) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    post_slack(stack, slack_event(f"U{next(_ids)}", channel, AIMS["en"]))
    reply = "\n".join(p.fields.get("text", "") for p in slack_posts(stack, channel))
    assert [line[:3] for line in reply.splitlines() if line[:1].isdigit()] == ["1. ", "2. ", "3. ", "4. ", "5. "]


def test_slack_greeting_comes_with_buttons(stack) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    post_slack(stack, slack_event(f"U{next(_ids)}", channel, "Hola, buenos días"))
    [post] = slack_posts(stack, channel)
    assert post.fields["text"].startswith("¡Hola!")
    buttons = [e for block in post.fields["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert {"type": "plain_text", "text": "OTAN"} in [b["text"] for b in buttons]


def test_slack_answer_comes_with_rating_buttons(stack) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    post_slack(stack, slack_event(f"U{next(_ids)}", channel, QUESTION["es"]))
    buttons = [e for post in slack_posts(stack, channel) for block in post.fields.get("blocks") or []
               if block["type"] == "actions" for e in block["elements"]]
    rating = {b["text"]["text"]: b["value"] for b in buttons if b["value"].startswith("/rate_answer")}
    assert rating == {"👍 Sí": '/rate_answer{"rating": "up"}', "👎 No": '/rate_answer{"rating": "down"}'}


def test_slack_requests_with_a_bad_signature_are_refused(stack) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    response = post_slack(stack, slack_event(f"U{next(_ids)}", channel, "hello"), secret="not-the-secret")
    assert response.status_code == 400
    time.sleep(1)
    assert not [c for c in stack.standin.calls if c.fields.get("channel") == channel]


def test_slack_url_verification_passes_through(stack) -> None:  # type: ignore[no-untyped-def]
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    payload = {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge, "type": "url_verification"}
    response = post_slack(stack, payload)
    assert response.status_code == 200 and challenge in response.text
