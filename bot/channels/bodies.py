"""The bodies of the REST and privacy webhooks: one reading for the web front and for Rasa's channels.

The web front (bot/web) reads each body before it forwards it, and Rasa's
REST and privacy channels (``bot.channels.rest``, ``bot.channels.erasure``)
read it again, for whoever reaches Rasa on loopback. Both read it here, so
the same body gets the same answer on both paths: 400 or 413 with a JSON
``error`` when it is not a message, and a bot-style reply in the visitor's
language (``messages.yml``) when the message is over the length limit.

No Rasa here: the front imports this module.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from bot.domain.language import Lang, Signals, decide, from_metadata, normalise

MESSAGES = Path(__file__).with_name("messages.yml")
MAX_SENDER_CHARS = 128
# A bot-style reply, as Rasa's REST channel answers.
Reply = list[dict[str, str]]


@dataclass(frozen=True)
class RestMessage:
    sender: str
    message: str
    metadata: Optional[dict]

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"sender": self.sender, "message": self.message}
        if self.metadata is not None:
            body["metadata"] = self.metadata
        return body


class Refusal(Exception):
    """A request answered with ``status`` and ``{"error": message}`` instead of going on to the assistant."""

    # Seconds a client should wait before it tries again, when that is known.
    retry_after: Optional[int] = None

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def body_too_large(max_body_bytes: int) -> Refusal:
    return Refusal(413, f"the body must be at most {max_body_bytes} bytes")


def parse_rest_message(body: bytes, max_body_bytes: int) -> RestMessage:
    """The REST channel's message, or a ``Refusal`` naming what is wrong."""
    data = _json_object(body, max_body_bytes)
    sender, message, metadata = _check_sender(data.get("sender")), data.get("message"), data.get("metadata")
    if not isinstance(message, str):
        raise Refusal(400, "`message` must be a string")
    if not message.strip():
        raise Refusal(400, "`message` must not be empty")
    if metadata is not None and not isinstance(metadata, dict):
        raise Refusal(400, "`metadata` must be a JSON object")
    if not _encodable(sender) or not _encodable(message):
        # JSON may escape a lone surrogate ("\ud800") that no UTF-8 text can hold.
        raise Refusal(400, "`sender` and `message` must be valid Unicode text")
    return RestMessage(sender, message, metadata)


def parse_sender(body: bytes, max_body_bytes: int) -> str:
    """The ``sender`` of a ``{"sender": ...}`` body (a conversation to delete), or a ``Refusal``."""
    sender = _check_sender(_json_object(body, max_body_bytes).get("sender"))
    if not _encodable(sender):
        raise Refusal(400, "`sender` must be valid Unicode text")
    return sender


def too_long_reply(message: RestMessage, max_message_chars: int, accept_language: str) -> Optional[Reply]:
    """What a message over ``max_message_chars`` gets instead of an answer; None for any other message."""
    if len(message.message) <= max_message_chars:
        return None
    text = too_long_text(visitor_language(message.metadata, accept_language), max_message_chars)
    return [{"recipient_id": message.sender, "text": text}]


def too_long_text(language: str, max_message_chars: int) -> str:
    return wording("message_too_long", language).format(limit=max_message_chars)


def visitor_language(metadata: Optional[Mapping[str, Any]], accept_language: str = "") -> Lang:
    """The language of a reply given without the assistant: the page's locale, else the browser's.

    Decided as every reply's language is (``bot.domain.language.decide``); no
    words are read, as the message is refused unread.
    """
    first = accept_language.split(",", 1)[0].split(";", 1)[0]
    return decide(Signals(locale=from_metadata(metadata) or normalise(first))).language


def wording(key: str, language: str) -> str:
    """A reply given without the assistant (``messages.yml``), in ``language``."""
    return load_messages()[key][language]


@functools.cache
def load_messages(path: Path = MESSAGES) -> dict[str, dict[str, str]]:
    """The replies given without the assistant, by key and language."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _json_object(body: bytes, max_body_bytes: int) -> dict[str, Any]:
    if len(body) > max_body_bytes:
        raise body_too_large(max_body_bytes)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        # RecursionError: deeply nested arrays must not become a 500.
        raise Refusal(400, "the body must be JSON") from None
    if not isinstance(data, dict):
        raise Refusal(400, "the body must be a JSON object")
    return data


def _check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise Refusal(400, f"`sender` must be a non-empty string of at most {MAX_SENDER_CHARS} characters")
    return sender


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
