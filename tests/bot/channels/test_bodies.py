"""How a REST or privacy body is read (bot/channels/bodies.py), the same for the web front and Rasa's channels."""

from __future__ import annotations

import json

import pytest

from bot.channels.bodies import (
    Refusal, RestMessage, load_messages, parse_rest_message, parse_sender, too_long_reply, visitor_language,
)
from tests.bot.web.bad_inputs import CASES
from tests.conftest import LANGS

LIMIT_BYTES = 16 * 1024
REFUSED = {
    "empty body": 400, "null": 400, "empty list": 400, "number": 400, "string": 400, "empty object": 400,
    "malformed json": 400, "not json": 400, "invalid utf-8": 400, "message null": 400, "message number": 400,
    "message list": 400, "message object": 400, "sender missing": 400, "sender number": 400, "empty text": 400,
    "whitespace only": 400, "1 MB body": 413, "lone surrogate escape": 400, "deeply nested": 400,
}


@pytest.mark.parametrize("name,make_body", CASES, ids=[name for name, _ in CASES])
def test_each_bad_body_is_refused_with_its_status_and_the_rest_read(name: str, make_body) -> None:  # type: ignore[no-untyped-def]
    body = make_body("visitor")
    if name in REFUSED:
        with pytest.raises(Refusal) as refused:
            parse_rest_message(body, LIMIT_BYTES)
        assert refused.value.status == REFUSED[name] and refused.value.message
    else:
        assert parse_rest_message(body, LIMIT_BYTES).sender == "visitor"


def test_only_the_checked_fields_go_on() -> None:
    body = json.dumps({"sender": "s", "message": "hi", "metadata": {"locale": "es"}, "extra": 1}).encode()
    assert parse_rest_message(body, LIMIT_BYTES).as_json() == {"sender": "s", "message": "hi", "metadata": {"locale": "es"}}


@pytest.mark.parametrize("body,status", [(b'{"sender": "s"}', None), (b"[]", 400), (b'{"sender": ""}', 400),
                                         (b'{"sender": "\\ud800"}', 400), (b'{"sender": "' + b"s" * 20_000 + b'"}', 413)])
def test_a_sender_to_forget_is_read_like_a_message_sender(body: bytes, status: int | None) -> None:
    if status is None:
        assert parse_sender(body, LIMIT_BYTES) == "s"
        return
    with pytest.raises(Refusal) as refused:
        parse_sender(body, LIMIT_BYTES)
    assert refused.value.status == status


@pytest.mark.parametrize("lang", LANGS)
def test_too_long_a_message_gets_the_reply_in_the_page_language(lang: str) -> None:
    other = "en" if lang == "es" else "es"
    text = load_messages()["message_too_long"][lang].format(limit=10)
    assert too_long_reply(RestMessage("s", "x" * 11, {"locale": lang}), 10, other) == [{"recipient_id": "s", "text": text}]
    assert too_long_reply(RestMessage("s", "x" * 11, None), 10, f"{lang}-XX,{other};q=0.5") == [
        {"recipient_id": "s", "text": text}
    ]
    assert too_long_reply(RestMessage("s", "x" * 10, {"locale": lang}), 10, other) is None


def test_without_any_locale_the_visitor_gets_english() -> None:
    assert visitor_language(None, "") == visitor_language({"locale": "fr"}, "de-DE") == "en"
