"""One answer, one card, end to end: a question through the web front, the platform's API called once.

The same stand-in servers and updates as tests/bot/web/test_platforms.py: an
answer about MINUSMA (the 2019 page, then the UN on the mission's closure
since) reaches Telegram as one message with an inline keyboard, Slack as one
``chat.postMessage`` whose sources are context blocks, and Messenger as one
message with quick replies; a press on a button is the user's next turn.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Callable

import pytest
import yaml

from tests.bot.web.standin import Call
from tests.bot.web.test_degenerate import messenger_event, post_messenger
from tests.bot.web.test_platforms import (
    PAGE_URL, UN_URL, post_slack, post_update, slack_event, telegram_button, telegram_message, telegram_user,
)
from tests.conftest import LANGS, ROOT

pytestmark = pytest.mark.servers
_ids = itertools.count(int(time.time() * 1000) + 7)
# Long enough for the last of a turn's replies, had they gone apart.
QUIET_SECONDS = 2.0
# Asked without a locale (Slack, Messenger): the language the question is in decides.
ABOUT_MINUSMA = {"en": "Tell me about MINUSMA", "es": "Háblame de la MINUSMA", "nb": "Fortell meg om MINUSMA"}
RATING_UP, RATING_DOWN = '/rate_answer{"rating": "up"}', '/rate_answer{"rating": "down"}'


def response(name: str, lang: str) -> dict:
    """The domain's response ``name`` in ``lang``, with its payloads as Rasa sends them."""
    for variant in yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][name]:
        conditions = variant.get("condition") or []
        if any(c.get("value") == lang for c in conditions) or (not conditions and lang == "en"):
            buttons = [{**b, "payload": b["payload"].replace("{{", "{").replace("}}", "}")} for b in variant.get("buttons", [])]
            return {**variant, "buttons": buttons}
    raise AssertionError(f"{name} has no {lang} variant")


def all_calls(stack, match: Callable[[Call], bool]) -> list[Call]:  # type: ignore[no-untyped-def]
    """The matching calls once some came and the turn has had time to send anything more."""
    stack.standin.wait_for(match)
    time.sleep(QUIET_SECONDS)
    with stack.standin.lock:
        return [c for c in stack.standin.calls if match(c)]


def titled(buttons: list[dict]) -> list[tuple[str, str]]:
    return [(b["title"], b["payload"]) for b in buttons]


# -- Telegram ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_telegram_answer_is_one_message_with_its_sources_and_an_inline_keyboard(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    user = telegram_user(lang) if lang in ("en", "es") else telegram_user("en") | {"language_code": lang}
    post_update(stack, telegram_message(user, "MINUSMA"))

    def to_user(c: Call) -> bool:
        return c.platform == "telegram" and c.method == "sendMessage" and c.fields["chat_id"] == str(user["id"])

    [answer] = all_calls(stack, to_user)
    text = answer.fields["text"]
    assert answer.fields["parse_mode"] == "HTML"
    assert text.index(f'<a href="{PAGE_URL}">') < text.index(f'<a href="{UN_URL}">')
    assert "](" not in text
    rating, suggestions = response("utter_rating_ask", lang), response("utter_deployments_suggestions", lang)
    assert text.endswith(f"{rating['text']}\n\n{suggestions['text']}")
    keyboard = json.loads(answer.fields["reply_markup"])["inline_keyboard"]
    rows = [[(b["text"], b["callback_data"]) for b in row] for row in keyboard]
    assert rows[0] == titled(rating["buttons"])
    assert [pair for row in rows[1:] for pair in row] == titled(suggestions["buttons"])

    # 👎 is the user's next turn: the press is acknowledged, and thanked for.
    press = telegram_button(user, RATING_DOWN)
    post_update(stack, press)
    replies = stack.standin.wait_for(to_user, count=2)
    assert response("utter_rating_thanks", lang)["text"] in replies[-1].fields["text"]
    acknowledged = [c for c in stack.standin.calls if c.method == "answerCallbackQuery"]
    assert press["callback_query"]["id"] in [c.fields.get("callback_query_id") for c in acknowledged]


# -- Slack ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_slack_answer_is_one_post_with_each_source_as_context(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    channel = f"D{next(_ids)}"
    post_slack(stack, slack_event(f"U{next(_ids)}", channel, ABOUT_MINUSMA[lang]))

    [post] = all_calls(
        stack, lambda c: c.platform == "slack" and c.method == "chat.postMessage" and c.fields.get("channel") == channel
    )
    blocks = post.fields["blocks"]
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert [url for url in (PAGE_URL, UN_URL) if any(f"<{url}|" in c for c in contexts)] == [PAGE_URL, UN_URL]
    assert blocks[0]["type"] == "section" and blocks[1]["type"] == "context"
    rating = response("utter_rating_ask", lang)
    buttons = [(e["text"]["text"], e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert titled(rating["buttons"]) == buttons[:2]
    assert len(buttons) > 2  # the suggestions
    assert rating["text"] in post.fields["text"] and f"<{PAGE_URL}|" in post.fields["text"]


# -- Messenger -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_messenger_answer_is_one_message_with_quick_replies(stack, lang: str) -> None:  # type: ignore[no-untyped-def]
    sender = f"P{next(_ids)}"
    post_messenger(stack, messenger_event(sender, message={"mid": f"m{next(_ids)}", "text": ABOUT_MINUSMA[lang]}))

    def to_sender(c: Call) -> bool:
        # Messages, not sender actions ("mark_seen", "typing_on").
        return c.platform == "messenger" and c.fields.get("recipient", {}).get("id") == sender and "message" in c.fields

    [answer] = all_calls(stack, to_sender)
    message = answer.fields["message"]
    lines = message["text"].splitlines()
    # Each source's address on a line of its own, under its words.
    assert PAGE_URL in lines and UN_URL in lines and lines.index(PAGE_URL) < lines.index(UN_URL)
    rating = response("utter_rating_ask", lang)
    replies = [(r["title"], r["payload"]) for r in message["quick_replies"]]
    assert replies[:2] == titled(rating["buttons"]) and len(replies) > 2
    assert all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in message["quick_replies"])

    # A quick reply comes back as the message's quick_reply payload.
    post_messenger(stack, messenger_event(
        sender, message={"mid": f"m{next(_ids)}", "text": rating["buttons"][0]["title"],
                         "quick_reply": {"payload": RATING_UP}},
    ))
    thanks = stack.standin.wait_for(to_sender, count=2)[-1]
    assert response("utter_rating_thanks", lang)["text"] in thanks.fields["message"]["text"]
