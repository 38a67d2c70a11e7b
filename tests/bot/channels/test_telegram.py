"""What bot/channels/telegram.py reads from Telegram updates, without any server."""

from __future__ import annotations

import pytest

from bot.channels.telegram import telegram_command, telegram_metadata


@pytest.mark.parametrize(
    "update,expected",
    [
        ({"message": {"from": {"id": 1, "language_code": "es"}, "text": "hola"}}, {"language_code": "es"}),
        ({"callback_query": {"from": {"id": 1, "language_code": "en-GB"}, "data": "/greet"}}, {"language_code": "en-GB"}),
        ({"edited_message": {"from": {"id": 1, "language_code": "es"}}}, {"language_code": "es"}),
        ({"message": {"from": {"id": 1}, "text": "hi"}}, None),
        ({"message": {"from": None}}, None),
        ({"message": "odd"}, None),
        ([], None),
        ('{"message": {"from": {"language_code": "es"}}}', {"language_code": "es"}),
        ("not json", None),
    ],
)
def test_telegram_metadata_carries_the_users_language(update, expected) -> None:  # type: ignore[no-untyped-def]
    assert telegram_metadata(update) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("/start", "/greet"), ("/start@norway_bot", "/greet"), ("/start ref42", "/greet"), ("/HELP", "/ask_help"),
     ("start", "start"), ("/ask_nato", "/ask_nato"), ("", ""), (None, None)],
)
def test_telegram_commands_map_to_intents(text, expected) -> None:  # type: ignore[no-untyped-def]
    assert telegram_command(text) == expected
