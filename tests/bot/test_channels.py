"""What bot/channels.py reads from Telegram updates, without any server."""

from __future__ import annotations

import pytest

from bot.channels import telegram_command, telegram_metadata, telegram_update_verdict


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


@pytest.mark.parametrize(
    "body,verdict",
    [
        (b'{"update_id": 1, "message": {"message_id": 2, "chat": {"id": 3}, "text": "hola"}}', "handled"),
        (b'{"update_id": 1, "callback_query": {"data": "/ask_nato", "message": {"chat": {"id": 3}}}}', "handled"),
        (b'{"update_id": 1, "message": {"message_id": 2, "chat": {"id": 3}, "sticker": {}}}', "ignored"),
        (b'{"update_id": 1, "my_chat_member": {}}', "ignored"),
        (b'{"update_id": 1, "message": null}', "ignored"),
        (b'{"message": {"text": "hi"}}', "invalid"),
        (b"[]", "invalid"),
        (b"", "invalid"),
    ],
)
def test_telegram_updates_rasa_cannot_handle_are_stopped(body: bytes, verdict: str) -> None:
    assert telegram_update_verdict(body) == verdict
