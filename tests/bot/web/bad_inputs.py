"""The bad input the internet sends: at least 30 kinds, as raw request bodies.

Each case is (name, body bytes). A sender id is filled in where the body has
one, so no case touches another conversation.
"""

from __future__ import annotations

import json
from typing import Callable

Case = tuple[str, Callable[[str], bytes]]


def _message(text: object) -> Callable[[str], bytes]:
    return lambda sender: json.dumps({"sender": sender, "message": text}).encode()


def _raw(body: bytes) -> Callable[[str], bytes]:
    return lambda sender: body


CASES: list[Case] = [
    ("empty body", _raw(b"")),
    ("null", _raw(b"null")),
    ("empty list", _raw(b"[]")),
    ("number", _raw(b"42")),
    ("string", _raw(b'"hello"')),
    ("empty object", _raw(b"{}")),
    ("malformed json", _raw(b'{"sender": "x", "message": ')),
    ("not json", _raw(b"sender=x&message=hello")),
    ("invalid utf-8", _raw(b'{"sender": "x", "message": "\xff\xfe"}')),
    ("message null", _message(None)),
    ("message number", _message(12345)),
    ("message list", _message(["hello"])),
    ("message object", _message({"text": "hello"})),
    ("sender missing", _raw(json.dumps({"message": "hello"}).encode())),
    ("sender number", lambda s: json.dumps({"sender": 7, "message": "hello"}).encode()),
    ("empty text", _message("")),
    ("whitespace only", _message(" \t\n ")),
    ("10,000 characters", _message("a" * 10_000)),
    ("1 MB body", _message("b" * 1_000_000)),
    ("control characters", _message("hola\x00\x01\x07\x1b[31m")),
    ("zero-width characters", _message("\u200b\u200c\u200dNATO\ufeff")),
    ("right-to-left override", _message("\u202eOTAN\u202c ¿qué es?")),
    ("emoji only", _message("🙂🙂🇳🇴")),
    ("html and script", _message("<script>alert('x')</script><b>hi</b>")),
    ("img onerror", _message('<img src=x onerror="alert(1)">')),
    ("sql-like", _message("'; DROP TABLE events; --")),
    ("template strings", _message("{{7*7}} ${jndi:ldap://x} {answer} %s")),
    ("restart command", _message("/restart")),
    ("intent injection", _message('/greet{"language":"xx"}')),
    ("entity injection", _message('/ask_deployments{"place":"<script>"}')),
    ("session start injection", _message("/session_start")),
    ("mixed english and spanish", _message("how many soldados are en Mali please")),
    ("lone surrogate escape", _raw(b'{"sender": "x", "message": "\\ud800"}')),
    ("deeply nested", _raw(b'{"sender": "x", "message": ' + b"[" * 500 + b"]" * 500 + b"}")),
]
