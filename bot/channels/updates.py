"""What a platform's webhook payload asks of the assistant: a turn to answer, or nothing.

Each reader takes the payload as the platform sent it, or as anyone could
forge it, and never raises. It returns a ``Verdict``:

* ``answer``: a user wrote. ``payload`` is the update reduced to the fields
  Rasa's channel reads, each of the type it expects, so Rasa's own handler
  cannot fail on it. A message without text (a sticker, a photo without a
  caption, a location, a file) is answered as an empty text, which the NLU
  gives the rephrase prompt ("Could you rephrase? For example...").
* ``ignore``: nothing to answer. Edits (an edit changes a message already
  answered; Slack also sends one when a link preview unfolds), the bot's own
  messages and echoes, service events, repeated deliveries.
* ``refuse``: not an update of that platform at all (HTTP 400).

The same rules hold on every platform; only the field names differ.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal, Optional

Action = Literal["answer", "ignore", "refuse"]
# Telegram message parts a user sends on purpose (https://core.telegram.org/bots/api#message).
TELEGRAM_CONTENT = (
    "sticker", "photo", "animation", "video", "video_note", "voice", "audio", "document",
    "location", "venue", "contact", "poll", "dice",
)
# Slack message subtypes written by a user (https://api.slack.com/events/message#subtypes).
SLACK_USER_SUBTYPES = (None, "file_share", "thread_broadcast")
SLACK_EVENTS = ("message", "app_mention")
SOCKET_SESSION_CHARS = 200


@dataclass(frozen=True)
class Verdict:
    action: Action
    payload: Any = None


IGNORE = Verdict("ignore")
REFUSE = Verdict("refuse")


def _str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _json(body: Any) -> Any:
    """The decoded JSON of ``body`` (bytes or str), or the value itself; ``None`` when it is not JSON."""
    if isinstance(body, (bytes, str)):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return None
    return body


# -- Telegram ------------------------------------------------------------------------------


def read_telegram(body: Any) -> Verdict:
    update = _json(body)
    if not isinstance(update, dict) or _int(update.get("update_id")) is None:
        return REFUSE
    if "callback_query" in update:
        return _telegram_button(update["update_id"], _dict(update["callback_query"]))
    message = update.get("message")
    if not isinstance(message, dict) or _int(_dict(message.get("chat")).get("id")) is None:
        # Edits, channel posts, membership changes, polls, and anything malformed.
        return IGNORE
    text = _str(message.get("text"))
    if text is None:
        text = _str(message.get("caption"))
    if text is None:
        if not any(kind in message for kind in TELEGRAM_CONTENT):
            return IGNORE  # a service message: someone joined, a pin, a new title
        text = ""
    return Verdict("answer", {"update_id": update["update_id"], "message": _telegram_message(message, text)})


def _telegram_button(update_id: int, query: dict) -> Verdict:
    data = _str(query.get("data"))
    message = _dict(query.get("message"))
    # A button under an inline-mode message has no chat to answer in; a game button has no data.
    if data is None or _int(_dict(message.get("chat")).get("id")) is None:
        return IGNORE
    button = {"id": _str(query.get("id")) or "", "message": _telegram_message(message, ""), "data": data}
    sender = _telegram_user(query.get("from"))
    if sender:
        button["from"] = sender
    return Verdict("answer", {"update_id": update_id, "callback_query": button})


def _telegram_message(message: dict, text: str) -> dict:
    chat = _dict(message.get("chat"))
    # No date: aiogram turns it into a datetime, and one out of range failed Rasa's handler.
    reduced = {
        "message_id": _int(message.get("message_id")) or 0,
        "chat": {"id": chat["id"], "type": _str(chat.get("type")) or "private"},
        "text": text,
    }
    sender = _telegram_user(message.get("from"))
    if sender:
        reduced["from"] = sender
    return reduced


def _telegram_user(user: Any) -> dict:
    """The sender's id and language, the only parts the assistant reads."""
    user = _dict(user)
    kept = {"id": _int(user.get("id")), "language_code": _str(user.get("language_code"))}
    return {key: value for key, value in kept.items() if value is not None}


# -- Slack ---------------------------------------------------------------------------------


class Deliveries:
    """The ids of the latest events handled, so that a platform's retry is answered once."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def read_slack_event(body: Any, deliveries: Deliveries) -> Verdict:
    """An Events API request (JSON)."""
    request = _json(body)
    if not isinstance(request, dict):
        return REFUSE
    challenge = _str(request.get("challenge"))
    if challenge is not None:
        return Verdict("answer", {"type": "url_verification", "challenge": challenge})
    event = request.get("event")
    if not isinstance(event, dict) or event.get("type") not in SLACK_EVENTS:
        return IGNORE
    if event.get("subtype") not in SLACK_USER_SUBTYPES or "bot_id" in event or event.get("hidden"):
        return IGNORE  # edits, deletions, joins, the bot's own posts
    user, channel, text = _str(event.get("user")), _str(event.get("channel")), _str(event.get("text"))
    if not user or not channel or (text is None and event.get("subtype") != "file_share"):
        return IGNORE
    event_id = _str(request.get("event_id"))
    if event_id and not deliveries.first_time(event_id):
        return IGNORE
    reduced = {key: value for key in ("ts", "thread_ts", "channel_type") if (value := _str(event.get(key)))}
    # Rasa skips an event with an empty text; a lone space is stripped back to empty after that check.
    reduced.update(type=event["type"], user=user, channel=channel, text=text or " ")
    payload: dict[str, Any] = {"type": "event_callback", "event": reduced}
    team = _str(request.get("team_id"))
    if team:
        # The conversation is the user's within their team (bot.channels.keys).
        payload["team_id"] = team
    bot_user = _str(_dict(_first(request.get("authorizations"))).get("user_id"))
    if bot_user:
        payload["authorizations"] = [{"user_id": bot_user}]
    return Verdict("answer", payload)


def read_slack_action(payload_field: Any) -> Verdict:
    """An interactivity request: the form field ``payload``, JSON. Only button presses are answered."""
    payload = _json(payload_field)
    if not isinstance(payload, dict):
        return REFUSE
    action = _dict(_first(payload.get("actions")))
    user = _str(_dict(payload.get("user")).get("id"))
    if action.get("type") != "button" or _str(action.get("value")) is None or not user:
        return IGNORE
    if not isinstance(payload.get("channel", {}), dict) or not isinstance(payload.get("message", {}), dict):
        return IGNORE
    return Verdict("answer", payload)


def _first(items: Any) -> Any:
    return items[0] if isinstance(items, list) and items else None


# -- Messenger -----------------------------------------------------------------------------


def read_messenger(body: Any) -> Verdict:
    """A page webhook; each event of the batch that a user wrote, in order."""
    payload = _json(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return REFUSE
    events = [
        reduced
        for entry in payload["entry"]
        for event in _list(_dict(entry).get("messaging"))
        if (reduced := _messenger_event(_dict(event))) is not None
    ]
    return Verdict("answer", events) if events else IGNORE


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _messenger_event(event: dict) -> Optional[dict]:
    sender = _str(_dict(event.get("sender")).get("id"))
    if not sender:
        return None
    postback = _str(_dict(event.get("postback")).get("payload"))
    if postback is not None:
        return {"sender": {"id": sender}, "postback": {"payload": postback}}
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None  # delivery and read receipts, reactions, the page's own messages
    quick_reply = _str(_dict(message.get("quick_reply")).get("payload"))
    text = quick_reply if quick_reply is not None else _str(message.get("text"))
    if text is None and not message.get("attachments"):
        return None
    return {"sender": {"id": sender}, "message": {"text": text or ""}}


# -- socket.io -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SocketMessage:
    session_id: Optional[str]
    text: str
    metadata: dict


def read_socketio(data: Any, metadata_key: str = "customData") -> Optional[SocketMessage]:
    """A ``user_uttered`` event's data, or ``None`` when it is not one."""
    if not isinstance(data, dict):
        return None
    metadata = _json(data.get(metadata_key))
    return SocketMessage(socketio_session(data), _str(data.get("message")) or "", _dict(metadata))


def socketio_session(data: Any) -> Optional[str]:
    """The session id a client gave, if it is a usable one."""
    session = _str(_dict(data).get("session_id"))
    return session if session and len(session) <= SOCKET_SESSION_CHARS else None
