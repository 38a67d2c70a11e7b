"""Conversation keys: the Rasa sender id of a conversation names its channel and its visitor.

Every channel files its conversations under its own namespace, so an id a
client chooses on one channel never names a conversation of another:

- ``telegram:<chat id>``, ``slack:<team>:<user>``, ``messenger:<page-scoped id>``;
- ``rest:<sender>`` for the page and REST integrators, ``socketio:<session id>``
  for socket.io clients.

The web front locks each conversation under this same key
(``bot.web.balance.platform_key`` for the platforms, ``rest:<sender>`` for REST).

A conversation's *token* proves that its holder is its visitor: an HMAC of the
key, handed to the page with every reply (``metadata.token``) and required to
delete the conversation (``bot.channels.erasure``). Its key is derived from
the action server's secret (ACTION_TOKEN), which every Rasa replica holds and
no visitor sees.

No Rasa here: the front imports this module.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional, Union

TELEGRAM = "telegram"
SLACK = "slack"
MESSENGER = "messenger"
REST = "rest"
SOCKETIO = "socketio"
NAMESPACES = frozenset({TELEGRAM, SLACK, MESSENGER, REST, SOCKETIO})
# The namespaces whose visitors hold a token (the others' visitors cannot delete by request).
TOKEN_NAMESPACES = (REST, SOCKETIO)
SEPARATOR = ":"
# Between a conversation's id and its MAC in a token; never part of a MAC.
TOKEN_SEPARATOR = "."
# 128 bits of HMAC-SHA256, as hex: short enough for the sender field of a forget request.
TOKEN_HEX = 32


def conversation_key(namespace: str, *parts: Union[str, int]) -> str:
    """``namespace:part[:part]``: the Rasa sender id of one visitor's conversation on one channel."""
    return SEPARATOR.join((namespace, *(str(part) for part in parts)))


def slack_key(team: object, user: object) -> str:
    """A Slack user's conversation: ``slack:<team>:<user>`` (``-`` for a team Slack did not name)."""
    return conversation_key(SLACK, team if isinstance(team, str) and team else "-", str(user))


def visitor_id(key: str) -> str:
    """The id the channel itself knows the visitor by: a Telegram chat id, a Slack user, a REST sender.

    A key without a known namespace (a conversation stored before namespacing) is returned as it is.
    """
    namespace, separator, rest = key.partition(SEPARATOR)
    if not separator or namespace not in NAMESPACES:
        return key
    # A Slack key also names the team; REST ids may themselves hold colons.
    return rest.split(SEPARATOR, 1)[-1] if namespace == SLACK else rest


def token_key(action_token: str) -> Optional[bytes]:
    """The HMAC key of conversation tokens, derived from the action secret; None without one (no tokens)."""
    if not action_token:
        return None
    return hmac.new(action_token.encode(), b"conversation tokens", hashlib.sha256).digest()


def token(key: bytes, conversation: str) -> str:
    """The token of ``conversation``: its visitor's id, a dot, and a MAC of the whole key."""
    return f"{visitor_id(conversation)}{TOKEN_SEPARATOR}{_mac(key, conversation)}"


def conversation_of(key: bytes, given: str) -> Optional[str]:
    """The conversation (REST or socket.io) that ``given`` is the token of; None when it is no valid token."""
    visitor, separator, mac = given.rpartition(TOKEN_SEPARATOR)
    if not separator or not visitor or len(mac) != TOKEN_HEX or not mac.isascii():
        return None
    for namespace in TOKEN_NAMESPACES:
        conversation = conversation_key(namespace, visitor)
        if hmac.compare_digest(_mac(key, conversation), mac):
            return conversation
    return None


def secret_matches(expected: str, given: str) -> bool:
    """Whether ``given`` (a header, any text) is the configured shared secret; never with none configured."""
    if not expected:
        return False
    # compare_digest refuses non-ASCII text: compare the UTF-8 bytes.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _mac(key: bytes, conversation: str) -> str:
    return hmac.new(key, conversation.encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]
