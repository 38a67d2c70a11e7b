"""One answer, one card: what Telegram, Slack and Messenger would be sent for the replies to one question.

The replies are the domain's own responses, filled by the NLG from the
store's answers as the assistant gives them, in every language; they go
through the channels' common handling (``bot.channels.base.guarded``) to each
platform's output, whose API calls are recorded here instead of made.
"""

from __future__ import annotations

import html
import json
from typing import Any, Dict, List

import pytest
from rasa.core.actions.action import create_bot_utterance
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain

from bot.channels import keys
from bot.channels.base import guarded
from bot.channels.markup import CITATION, card_of, chunks, plain_card_text, slack_escape, telegram_html
from bot.channels.messenger import MESSENGER_MAX_TITLE, MessengerOutput
from bot.channels.slack import SlackOutput
from bot.channels.telegram import TELEGRAM_MAX_CALLBACK_BYTES, TelegramOutput
from bot.domain import answers
from bot.domain.store import FactStore
from bot.paths import DOMAIN
from bot.server import turn as turns
from bot.server.nlg import LanguageNLG
from tests.conftest import LANGS

PAGE_URL = "https://www.norway.no/en/missions/UN/values-priorities/peace-stability-sec/"
UN_URL = "https://press.un.org/en/2023/sc15341.doc.htm"
Message = Dict[str, Any]


@pytest.fixture(scope="module")
def nlg() -> LanguageNLG:
    return LanguageNLG(domain=Domain.load(str(DOMAIN)))


def said(nlg: LanguageNLG, lang: str, response: str, **values: str) -> Message:
    """A bot message as Rasa hands it to an output channel (``BotUttered.message()``)."""
    generated = nlg.generate_from_slots(response, {"language": lang}, "telegram", **values)
    assert generated is not None, response
    return create_bot_utterance(generated).message()


def minusma(nlg: LanguageNLG, store: FactStore, lang: str) -> List[Message]:
    """The replies to "MINUSMA": the 2019 page's fact, the UN's update since, the rating, suggestions."""
    outcome = answers.answer_deployments(store, "ask_deployments", {"mission": ["MINUSMA"]}, None, lang)
    messages = [said(nlg, lang, reply.response, **reply.values) for reply in outcome.replies]
    assert [m.get("utter_action") or r.response for m, r in zip(messages, outcome.replies)] == [
        answers.FACTS, answers.FACTS, answers.RATING, answers.SUGGESTIONS["deployments"]
    ]
    return messages


def citation_links(messages: List[Message]) -> List[tuple[str, str, str]]:
    """Each source of the replies as (its label, its title, its address), read from the reply's own Markdown."""
    found = []
    for message in messages:
        for line in (message.get("text") or "").splitlines():
            if CITATION.match(line):
                label, _, rest = line.partition("[")
                title, _, url = rest.partition("](")
                found.append((label, title, url.rstrip(")")))
    return found


async def through(output: Any, messages: List[Message], namespace: str, sender: Any) -> None:
    """The turn as the assistant plays it: each reply to the output Rasa gives the channel, in order."""

    async def assistant(message: UserMessage) -> None:
        for reply in messages:
            await message.output_channel.send_response(message.sender_id, dict(reply))

    await guarded(assistant, namespace)(UserMessage("MINUSMA", output, sender))


# -- Telegram ------------------------------------------------------------------------------


def telegram_output(monkeypatch: pytest.MonkeyPatch) -> tuple[TelegramOutput, List[dict]]:
    """A Telegram output whose Bot API requests are recorded, each as aiogram would send it."""
    output = TelegramOutput("123456789:AAtest", "http://127.0.0.1:9")
    calls: List[dict] = []

    async def request(method: str, data: dict | None = None, *args: Any, **kwargs: Any) -> dict:
        calls.append({"method": method, **(data or {})})
        return {"message_id": len(calls), "date": 0, "chat": {"id": int(data["chat_id"]), "type": "private"}}

    monkeypatch.setattr(output, "request", request)
    return output, calls


@pytest.mark.parametrize("lang", LANGS)
async def test_telegram_gets_one_message_with_links_and_an_inline_keyboard(  # type: ignore[no-untyped-def]
    nlg, store, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = minusma(nlg, store, lang)
    output, calls = telegram_output(monkeypatch)
    await through(output, messages, keys.TELEGRAM, 42)

    [call] = calls
    assert call["method"] == "sendMessage" and str(call["chat_id"]) == "42" and call["parse_mode"] == "HTML"
    text = call["text"]
    # The answer, then its update, each with its source as a link under it.
    sources = citation_links(messages)
    assert [url for _, _, url in sources] == [PAGE_URL, UN_URL]
    for label, title, url in sources:
        assert f'{label}<a href="{url}">{html.escape(title, quote=False)}</a>' in text
    first, update, rating, suggestions = messages
    assert text.index(telegram_html(first["text"].split("\n")[0])) < text.index(f'href="{PAGE_URL}"')
    assert text.index(f'href="{PAGE_URL}"') < text.index(telegram_html(update["text"].split("\n")[0]))
    assert text.index(telegram_html(update["text"].split("\n")[0])) < text.index(f'href="{UN_URL}"')
    assert "](" not in text
    # The rating's question and the suggestions' words are the replies' own.
    assert text.endswith(f"{rating['text']}\n\n{suggestions['text']}")

    keyboard = json.loads(call["reply_markup"])["inline_keyboard"]
    shown = [[(button["text"], button["callback_data"]) for button in row] for row in keyboard]
    assert shown[0] == [(b["title"], b["payload"]) for b in rating["buttons"]]
    assert [pair for row in shown[1:] for pair in row] == [(b["title"], b["payload"]) for b in suggestions["buttons"]]
    assert all(len(row) <= 2 for row in shown[1:])
    assert all(len(data.encode()) <= TELEGRAM_MAX_CALLBACK_BYTES for row in shown for _, data in row)


@pytest.mark.parametrize("lang", LANGS)
async def test_telegram_greeting_is_one_message_with_its_buttons(  # type: ignore[no-untyped-def]
    nlg, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    greeting = said(nlg, lang, "utter_greet")
    output, calls = telegram_output(monkeypatch)
    await through(output, [greeting], keys.TELEGRAM, 42)

    [call] = calls
    assert call["text"] == telegram_html(greeting["text"])
    keyboard = json.loads(call["reply_markup"])["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == [b["payload"] for b in greeting["buttons"]]


async def test_telegram_leaves_out_a_button_telegram_would_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    long_payload = '/ask_deployments{"personnel": "' + "x" * 64 + '"}'
    buttons = [{"title": "Long", "payload": long_payload}, {"title": "NATO", "payload": "/ask_nato"}]
    output, calls = telegram_output(monkeypatch)
    await through(output, [{"text": "Hello", "buttons": buttons}], keys.TELEGRAM, 42)

    [call] = calls
    keyboard = json.loads(call["reply_markup"])["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == ["/ask_nato"]


async def test_a_reply_past_telegrams_length_goes_in_pieces_with_the_keyboard_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_text = "\n".join(f"{n}. " + " ".join(["word"] * 60) for n in range(1, 41))
    messages = [{"text": long_text}, {"text": "Useful?", "buttons": [{"title": "👍", "payload": '/rate_answer{"rating": "up"}'}]}]
    output, calls = telegram_output(monkeypatch)
    await through(output, messages, keys.TELEGRAM, 42)

    assert len(calls) > 1 and all(len(c["text"]) <= 4096 for c in calls)
    assert ["reply_markup" in c for c in calls] == [False] * (len(calls) - 1) + [True]
    # Every line is there, whole, in order.
    assert "\n".join(c["text"] for c in calls).replace("\n\n", "\n").splitlines()[:40] == long_text.splitlines()


# -- Slack ---------------------------------------------------------------------------------


class SlackClient:
    """Records chat.postMessage calls as the Web API would get them."""

    def __init__(self) -> None:
        self.posts: List[dict] = []

    async def chat_postMessage(self, **fields: Any) -> dict:  # noqa: N802 (slack_sdk's name)
        self.posts.append(fields)
        return {"ok": True}


def slack_output() -> tuple[SlackOutput, SlackClient]:
    """A Slack output for the direct-message channel D42, as Rasa makes one for each event."""
    output = SlackOutput("xoxb-test", "D42")
    client = SlackClient()
    output.client = client  # type: ignore[assignment]
    return output, client


@pytest.mark.parametrize("lang", LANGS)
async def test_slack_gets_one_message_of_blocks_with_each_source_as_context(nlg, store, lang: str) -> None:  # type: ignore[no-untyped-def]
    messages = minusma(nlg, store, lang)
    output, client = slack_output()
    await through(output, messages, None, "slack:T1:U1")

    [post] = client.posts
    assert post["channel"] == "D42"
    blocks = post["blocks"]
    assert [b["type"] for b in blocks] == [
        "section", "context", "section", "context", "section", "actions", "section", "actions"
    ]
    sources = citation_links(messages)
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert contexts == [f"{label}<{url}|{slack_escape(title)}>" for label, title, url in sources]
    assert all(b["elements"][0]["type"] == "mrkdwn" for b in blocks if b["type"] == "context")
    first, update, rating, suggestions = messages
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[0].startswith(first["text"].split("\n")[0][:40])
    assert sections[1].startswith(update["text"].split("\n")[0][:40])
    assert sections[2:] == [rating["text"], suggestions["text"]]
    actions = [[(e["text"]["text"], e["value"]) for e in b["elements"]] for b in blocks if b["type"] == "actions"]
    assert actions == [[(b["title"], b["payload"]) for b in m["buttons"]] for m in (rating, suggestions)]
    # The whole, as the notification and fallback text, in Slack's link syntax.
    assert all(f"<{url}|" in post["text"] for _, _, url in sources) and "](" not in post["text"]
    assert post["text"].endswith(f"{rating['text']}\n\n{suggestions['text']}")


@pytest.mark.parametrize("lang", LANGS)
async def test_slack_text_without_buttons_or_sources_stays_text(nlg, lang: str) -> None:  # type: ignore[no-untyped-def]
    goodbye = said(nlg, lang, "utter_goodbye")
    output, client = slack_output()
    await through(output, [goodbye], None, "slack:T1:U1")

    assert client.posts == [{"channel": "D42", "as_user": True, "text": goodbye["text"], "type": "mrkdwn"}]


# -- Messenger -----------------------------------------------------------------------------


def messenger_output(monkeypatch: pytest.MonkeyPatch) -> tuple[MessengerOutput, List[dict]]:
    from fbmessenger import MessengerClient

    sent: List[dict] = []
    monkeypatch.setattr(
        MessengerClient, "send", lambda self, payload, recipient, *a, **k: sent.append({"to": recipient, **payload})
    )
    return MessengerOutput(MessengerClient("page-token")), sent


@pytest.mark.parametrize("lang", LANGS)
async def test_messenger_gets_one_message_with_quick_replies(  # type: ignore[no-untyped-def]
    nlg, store, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = minusma(nlg, store, lang)
    output, sent = messenger_output(monkeypatch)
    await through(output, messages, keys.MESSENGER, "1234")

    [message] = sent
    assert message["to"] == "1234"
    lines = message["text"].splitlines()
    # Each source as its words, its address alone on the next line (Messenger links it).
    for label, title, url in citation_links(messages):
        assert lines[lines.index(url) - 1] == f"{label}{title}"
    assert "](" not in message["text"] and len(message["text"]) <= 2000
    first, update, rating, suggestions = messages
    assert message["text"].startswith(first["text"].split("\n")[0])
    assert message["text"].endswith(f"{rating['text']}\n\n{suggestions['text']}")
    replies = message["quick_replies"]
    assert [(r["title"], r["payload"]) for r in replies] == [
        (b["title"], b["payload"]) for m in (rating, suggestions) for b in m["buttons"]
    ]
    assert all(r["content_type"] == "text" and len(r["title"]) <= MESSENGER_MAX_TITLE for r in replies)


async def test_messenger_titles_past_its_limit_are_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    output, sent = messenger_output(monkeypatch)
    buttons = [{"title": "Norwegians in UN peace operations", "payload": "/ask_deployments"}]
    await through(output, [{"text": "Hello", "buttons": buttons}], keys.MESSENGER, "1")

    [reply] = sent[0]["quick_replies"]
    assert reply == {"content_type": "text", "title": "Norwegians in UN pe…", "payload": "/ask_deployments"}


# -- Every platform ------------------------------------------------------------------------


def test_every_button_in_the_domain_fits_every_platform() -> None:
    """Telegram's callback data (64 bytes) and Messenger's quick reply titles (20 characters), in every language."""
    import yaml

    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    buttons = [b for variants in responses.values() for v in variants for b in v.get("buttons") or []]
    assert buttons
    for button in buttons:
        payload = button["payload"].replace("{{", "{").replace("}}", "}")
        assert len(payload.encode()) <= TELEGRAM_MAX_CALLBACK_BYTES, payload
        assert len(button["title"]) <= MESSENGER_MAX_TITLE, button["title"]


async def test_a_turn_that_was_not_stored_gets_only_the_reply_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    output, calls = telegram_output(monkeypatch)

    async def assistant(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "half an answer"})
        current = turns.current()
        assert current is not None
        current.fail(turns.UNAVAILABLE)
        current.language = "en"

    await guarded(assistant, keys.TELEGRAM)(UserMessage("hi", output, 42))

    [call] = calls
    assert "half an answer" not in call["text"] and "temporarily unavailable" in call["text"]


async def test_replies_with_more_than_text_and_buttons_go_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = [{"text": "A map:"}, {"text": None, "image": "https://example.org/map.png"}]
    assert card_of(messages) is None
    output, calls = telegram_output(monkeypatch)
    await through(output, messages, keys.TELEGRAM, 42)

    assert [c["method"] for c in calls] == ["sendMessage", "sendPhoto"]


def test_cards_group_replies_as_the_chat_page_does() -> None:
    rate = [{"title": "👍", "payload": '/rate_answer{"rating": "up"}'}]
    chips = [{"title": "NATO", "payload": "/ask_nato"}]
    card = card_of([
        {"text": "Answer.\n\nSource: [Page, 2019](https://example.org/)"},
        {"text": "Useful?", "buttons": rate},
        {"text": "More:", "buttons": chips},
    ])
    assert card is not None
    assert card.paragraphs == ["Answer.\n\nSource: [Page, 2019](https://example.org/)"]
    assert card.rating is not None and card.rating.label == "Useful?"
    assert [(g.label, [b.payload for b in g.buttons]) for g in card.suggestions] == [("More:", ["/ask_nato"])]
    assert card.texts() == ["Answer.\n\nSource: [Page, 2019](https://example.org/)", "Useful?", "More:"]
    # A greeting's buttons are its own: its words are the card's text.
    greeting = card_of([{"text": "Hello!", "buttons": chips}])
    assert greeting is not None and greeting.paragraphs == ["Hello!"] and greeting.suggestions[0].label == ""


def test_long_texts_are_parted_between_lines_and_never_past_the_limit() -> None:
    texts = ["a" * 30, "b" * 30, "\n".join(["c" * 20] * 3), "d" * 120]
    parts = chunks(texts, 50, lambda text: text)
    assert all(len(part) <= 50 for part in parts)
    assert parts[:2] == ["a" * 30, "b" * 30]
    assert "".join(parts).replace("\n", "") == "".join(texts).replace("\n", "")


def test_messenger_citations_put_the_address_on_a_line_of_its_own() -> None:
    text = f"Norway's aims:\n1. one\n\nSource: [Norway's government, 2019]({PAGE_URL})"
    assert plain_card_text(text) == f"Norway's aims:\n1. one\n\nSource: Norway's government, 2019\n{PAGE_URL}"
