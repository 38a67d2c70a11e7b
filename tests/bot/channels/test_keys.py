"""Conversation keys and tokens (bot/channels/keys.py), and the front's lock key for each platform."""

from __future__ import annotations

import json

import pytest

from bot.channels import keys
from bot.web.balance import platform_key

KEY = keys.token_key("an action secret")


@pytest.mark.parametrize(
    "key,visitor",
    [
        ("telegram:42", "42"),
        ("slack:T1:U2", "U2"),
        ("messenger:1234", "1234"),
        ("rest:a:b.c", "a:b.c"),
        ("socketio:0f0f", "0f0f"),
        # Stored before namespacing: left as it is.
        ("42", "42"),
        ("shell-abc", "shell-abc"),
    ],
)
def test_the_channel_gets_back_the_id_it_knows(key: str, visitor: str) -> None:
    assert keys.visitor_id(key) == visitor


@pytest.mark.parametrize(
    "channel,body,key",
    [
        ("telegram", {"update_id": 1, "message": {"chat": {"id": 42}, "text": "hola"}}, "telegram:42"),
        ("telegram", {"callback_query": {"message": {"chat": {"id": -7}}, "data": "/ask_nato"}}, "telegram:-7"),
        ("slack", {"team_id": "T1", "event": {"user": "U2", "text": "hi"}}, "slack:T1:U2"),
        ("slack", {"event": {"user": "U2"}}, "slack:-:U2"),
        ("facebook", {"entry": [{"messaging": [{"sender": {"id": "99"}}]}]}, "messenger:99"),
    ],
)
def test_the_front_locks_the_conversation_under_its_own_key(channel: str, body: dict, key: str) -> None:
    assert platform_key(channel, json.dumps(body).encode()) == key


def test_slack_button_presses_are_keyed_as_messages() -> None:
    payload = json.dumps({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U2"}})
    form = f"payload={payload}".encode()
    assert platform_key("slack", form) == keys.slack_key("T1", "U2") == "slack:T1:U2"


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'{"message": {"chat": {}}}', b'{"event": {"user": true}}'])
def test_no_key_for_a_body_that_names_nobody(body: bytes) -> None:
    assert platform_key("telegram", body) is None and platform_key("slack", body) is None


@pytest.mark.parametrize("namespace", keys.TOKEN_NAMESPACES)
def test_a_token_names_its_own_conversation_only(namespace: str) -> None:
    assert KEY is not None
    conversation = keys.conversation_key(namespace, "0123abcd")
    token = keys.token(KEY, conversation)
    assert keys.conversation_of(KEY, token) == conversation
    # Another secret, another visitor, a changed MAC: no conversation.
    other = keys.token_key("another secret")
    assert other is not None and keys.conversation_of(other, token) is None
    assert keys.conversation_of(KEY, token.replace("0123abcd", "0123abce")) is None
    assert keys.conversation_of(KEY, token[:-1] + ("0" if token[-1] != "0" else "1")) is None


@pytest.mark.parametrize("given", ["", "42", "telegram:42", "rest:x", ".", "x.", "x." + "é" * 32, "x." + "0" * 31])
def test_anything_but_a_token_names_no_conversation(given: str) -> None:
    assert KEY is not None and keys.conversation_of(KEY, given) is None


def test_platform_conversations_have_no_token() -> None:
    assert KEY is not None
    # A token made for a Telegram chat (were one ever leaked) is not accepted.
    assert keys.conversation_of(KEY, keys.token(KEY, "telegram:42")) is None


def test_no_tokens_without_a_secret() -> None:
    assert keys.token_key("") is None


@pytest.mark.parametrize(
    "expected,given,matches",
    [("s3cret", "s3cret", True), ("s3cret", "s3cret ", False), ("", "", False), ("s3cret", "sécret", False)],
)
def test_the_shared_secret_is_compared_safely(expected: str, given: str, matches: bool) -> None:
    assert keys.secret_matches(expected, given) is matches
