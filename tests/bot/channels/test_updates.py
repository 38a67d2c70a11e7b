"""What each platform's webhook payload asks for: the same rules on every platform."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import event, example, given
from hypothesis import strategies as st
from rasa.core.channels.facebook import Messenger
from rasa.core.channels.slack import SlackInput as RasaSlackInput

from bot.channels.telegram import telegram_metadata
from bot.channels.updates import Deliveries, read_messenger, read_slack_action, read_slack_event, read_socketio, read_telegram

CHAT = {"id": 42, "type": "private"}
USER = {"id": 42, "is_bot": False, "first_name": "Lucía", "language_code": "es"}


def telegram(**message: Any) -> dict:
    return {"update_id": 1, "message": {"message_id": 7, "date": 1700000000, "chat": CHAT, "from": USER, **message}}


def text_of(verdict) -> str:  # type: ignore[no-untyped-def]
    return verdict.payload["message"]["text"]


@pytest.mark.parametrize(
    "update,text",
    [
        (telegram(text="hola"), "hola"),
        (telegram(photo=[{"file_id": "a"}], caption="¿Qué es esto?"), "¿Qué es esto?"),
        # No words: answered with the rephrase prompt, as an empty text.
        (telegram(photo=[{"file_id": "a"}]), ""),
        (telegram(sticker={"file_id": "s", "emoji": "😀"}), ""),
        (telegram(location={"latitude": 59.91, "longitude": 10.75}), ""),
        (telegram(voice={"file_id": "v"}), ""),
    ],
    ids=["text", "photo with caption", "photo", "sticker", "location", "voice"],
)
def test_telegram_messages_are_answered_by_their_words(update: dict, text: str) -> None:
    verdict = read_telegram(json.dumps(update).encode())
    assert verdict.action == "answer" and text_of(verdict) == text
    assert verdict.payload["message"]["chat"]["id"] == 42
    assert verdict.payload["message"]["from"]["language_code"] == "es"


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "edited_message": telegram(text="hola, corregido")["message"]},
        {"update_id": 1, "edited_message": telegram(location={"latitude": 1.0, "longitude": 2.0})["message"]},
        telegram(new_chat_members=[USER]),
        {"update_id": 1, "channel_post": {"chat": {"id": -100}, "text": "news"}},
        {"update_id": 1, "callback_query": {"id": "9", "from": USER, "inline_message_id": "x", "data": "/ask_nato"}},
        {"update_id": 1, "callback_query": {"id": "9", "from": USER, "message": telegram()["message"],
                                            "game_short_name": "g"}},
        {"update_id": 1, "message": {"chat": {"id": "42"}, "text": "a chat id must be a number"}},
        {"update_id": 1, "my_chat_member": {}},
    ],
    ids=["edit", "live location", "service message", "channel post", "inline button", "game button",
         "string chat id", "membership"],
)
def test_telegram_updates_without_a_new_user_turn_are_ignored(update: dict) -> None:
    assert read_telegram(json.dumps(update).encode()).action == "ignore"


def test_a_telegram_button_with_unknown_data_is_answered_as_words() -> None:
    # bot.channels.payloads reads a payload no button of ours sends as words, after this.
    update = {"update_id": 1, "callback_query": {"id": "9", "from": USER, "message": telegram()["message"],
                                                 "chat_instance": "1", "data": "something-unknown"}}
    verdict = read_telegram(json.dumps(update).encode())
    assert verdict.action == "answer" and verdict.payload["callback_query"]["data"] == "something-unknown"


@pytest.mark.parametrize("body", [b"", b"[]", b"null", b'{"message": {"text": "hi"}}', b'{"update_id": true}', b"{"])
def test_what_is_not_a_telegram_update_is_refused(body: bytes) -> None:
    assert read_telegram(body).action == "refuse"


def slack(event_id: str = "Ev1", **event: Any) -> bytes:
    base = {"type": "message", "channel": "D1", "user": "U1", "ts": "1.0", "channel_type": "im"}
    return json.dumps({"type": "event_callback", "event_id": event_id, "event": {**base, **event},
                       "authorizations": [{"user_id": "UBOT"}]}).encode()


@pytest.mark.parametrize(
    "body,text",
    [(slack(text="hello"), "hello"), (slack(subtype="file_share", text="what is this?", files=[{}]), "what is this?"),
     (slack(subtype="file_share", files=[{}]), " ")],
    ids=["text", "file with words", "file alone"],
)
def test_slack_user_messages_are_answered(body: bytes, text: str) -> None:
    verdict = read_slack_event(body, Deliveries())
    assert verdict.action == "answer" and verdict.payload["event"]["text"] == text
    assert verdict.payload["authorizations"] == [{"user_id": "UBOT"}]


@pytest.mark.parametrize(
    "body",
    [
        slack(subtype="message_changed", message={"text": "hello again"}),
        slack(subtype="message_deleted"),
        slack(subtype="bot_message", text="I am a bot", bot_id="B1"),
        slack(text="our own reply", bot_id="B1"),
        slack(subtype="channel_join", text="<@U1> has joined"),
        slack(text=None),
        slack(text="no user", user=None),
        json.dumps({"type": "event_callback", "event": "not an object"}).encode(),
        json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}}).encode(),
    ],
    ids=["edit", "deletion", "bot message", "own reply", "join", "no text", "no user", "odd event", "reaction"],
)
def test_slack_events_without_a_new_user_turn_are_ignored(body: bytes) -> None:
    assert read_slack_event(body, Deliveries()).action == "ignore"


def test_a_slack_retry_of_an_answered_event_is_ignored() -> None:
    deliveries = Deliveries()
    assert read_slack_event(slack("Ev7", text="hello"), deliveries).action == "answer"
    assert read_slack_event(slack("Ev7", text="hello"), deliveries).action == "ignore"
    assert read_slack_event(slack("Ev8", text="hello"), deliveries).action == "answer"


def test_slack_only_answers_button_presses() -> None:
    button = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "D1"},
              "actions": [{"type": "button", "value": "/ask_nato"}]}
    assert read_slack_action(json.dumps(button)).action == "answer"
    for actions in ([{"type": "checkboxes"}], [{"type": "button"}], [], "x"):
        assert read_slack_action(json.dumps({**button, "actions": actions})).action == "ignore"
    assert read_slack_action(json.dumps({**button, "channel": "D1"})).action == "ignore"
    assert read_slack_action("not json").action == "refuse"
    assert read_slack_action(None).action == "refuse"


def messenger(*events: dict) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": list(events)}]}).encode()


SENDER = {"sender": {"id": "P1"}, "recipient": {"id": "PAGE"}, "timestamp": 1}


def test_messenger_answers_every_user_event_of_a_batch_in_order() -> None:
    verdict = read_messenger(messenger(
        {**SENDER, "message": {"mid": "m1", "text": "hola"}},
        {**SENDER, "message": {"mid": "m2", "attachments": [{"type": "image", "payload": {"url": "https://x"}}]}},
        {**SENDER, "message": {"mid": "m3", "text": "x", "quick_reply": {"payload": "/ask_nato"}}},
        {**SENDER, "postback": {"title": "NATO", "payload": "/ask_nato"}},
        {**SENDER, "message": {"mid": "m4", "is_echo": True, "text": "our own reply"}},
        {**SENDER, "message": {"mid": "m5", "is_echo": True, "attachments": [{"type": "image"}]}},
        {**SENDER, "delivery": {"mids": ["m1"]}},
        {**SENDER, "read": {"watermark": 1}},
        {"message": {"text": "no sender"}},
    ))
    assert verdict.action == "answer"
    assert verdict.payload == [
        {"sender": {"id": "P1"}, "message": {"text": "hola"}},
        {"sender": {"id": "P1"}, "message": {"text": ""}},
        {"sender": {"id": "P1"}, "message": {"text": "/ask_nato"}},
        {"sender": {"id": "P1"}, "postback": {"payload": "/ask_nato"}},
    ]


@pytest.mark.parametrize("body,action", [
    (messenger({**SENDER, "read": {"watermark": 1}}), "ignore"),
    (messenger({**SENDER, "message": {"attachments": []}}), "ignore"),
    (b'{"object": "page"}', "refuse"),
    (b"[]", "refuse"),
    (b"", "refuse"),
])
def test_messenger_payloads_without_a_user_turn(body: bytes, action: str) -> None:
    assert read_messenger(body).action == action


@pytest.mark.parametrize(
    "data,expected",
    [
        ({"message": "", "session_id": "s1"}, ("s1", "", {})),
        ({"message": "   ", "session_id": "s1", "customData": {"language": "es"}}, ("s1", "   ", {"language": "es"})),
        ({"message": 5, "session_id": "s1", "customData": '{"language": "es"}'}, ("s1", "", {"language": "es"})),
        ({"message": "hi", "session_id": ["s1"], "customData": "not json"}, (None, "hi", {})),
        ({"message": "hi", "session_id": "s" * 201}, (None, "hi", {})),
    ],
)
def test_socketio_messages_are_read_whatever_their_fields(data: dict, expected: tuple) -> None:
    message = read_socketio(data)
    assert message is not None and (message.session_id, message.text, message.metadata) == expected


@pytest.mark.parametrize("data", [None, "hello", ["hello"], 42])
def test_socketio_data_that_is_not_an_object_is_no_message(data: Any) -> None:
    assert read_socketio(data) is None


# -- any payload at all (Hypothesis) --------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)
_TEXT = st.text(max_size=50)


def _mostly(usual: st.SearchStrategy, odd: st.SearchStrategy = _JSON) -> st.SearchStrategy:
    """Nine times in ten ``usual``, else ``odd`` (any JSON at all)."""
    return st.integers(0, 9).flatmap(lambda n: usual if n else odd)


def _shaped(required: dict, optional: dict) -> st.SearchStrategy:
    """Objects with a platform's field names, each holding (mostly) its usual type."""
    return _mostly(st.fixed_dictionaries(
        {k: _mostly(v) for k, v in required.items()}, optional={k: _mostly(v) for k, v in optional.items()}
    ))


_ID = st.integers(-(2**40), 2**40)
_TG_USER = _shaped({"id": _ID}, {"is_bot": st.booleans(), "first_name": _TEXT, "language_code": _TEXT})
_TG_CHAT = _shaped({"id": _ID}, {"type": st.sampled_from(["private", "group", "channel"])})
_TG_MESSAGE = _shaped(
    {"message_id": _ID, "chat": _TG_CHAT},
    {"date": _ID, "from": _TG_USER, "text": _TEXT, "caption": _TEXT, "sticker": _JSON, "photo": _JSON,
     "location": _shaped({"latitude": st.floats(), "longitude": st.floats()}, {}), "new_chat_members": _JSON},
)
TELEGRAM_UPDATES = _shaped(
    {"update_id": _ID},
    {"message": _TG_MESSAGE, "edited_message": _TG_MESSAGE, "channel_post": _TG_MESSAGE,
     "callback_query": _shaped({"id": _TEXT, "from": _TG_USER}, {"message": _TG_MESSAGE, "data": _TEXT})},
)
_SLACK_EVENT = _shaped(
    {"type": st.sampled_from(["message", "app_mention", "reaction_added"])},
    {"subtype": st.sampled_from(["message_changed", "bot_message", "file_share", "message_deleted"]),
     "user": _TEXT, "channel": _TEXT, "text": _TEXT, "ts": _TEXT, "thread_ts": _TEXT, "bot_id": _TEXT,
     "channel_type": st.sampled_from(["im", "channel"]), "files": _JSON, "message": _JSON},
)
SLACK_EVENTS = _shaped(
    {"type": st.sampled_from(["event_callback", "url_verification"])},
    {"event": _SLACK_EVENT, "event_id": _TEXT, "challenge": _TEXT,
     "authorizations": st.lists(_shaped({"user_id": _TEXT}, {}), max_size=2)},
)
SLACK_ACTIONS = _shaped(
    {"type": st.sampled_from(["block_actions", "interactive_message"])},
    {"user": _shaped({"id": _TEXT}, {}), "channel": _shaped({"id": _TEXT}, {}), "message": _shaped({}, {"ts": _TEXT}),
     "actions": st.lists(_shaped({"type": st.sampled_from(["button", "static_select", "checkboxes"]), "value": _TEXT},
                                 {}), max_size=2)},
)
_FB_EVENT = _shaped(
    {"sender": _shaped({"id": _TEXT}, {})},
    {"message": _shaped({}, {"text": _TEXT, "is_echo": st.booleans(), "quick_reply": _shaped({"payload": _TEXT}, {}),
                             "attachments": st.lists(_shaped({"type": _TEXT}, {"payload": _JSON}), max_size=2)}),
     "postback": _shaped({"payload": _TEXT}, {"title": _TEXT}), "delivery": _JSON, "read": _JSON},
)
MESSENGER_WEBHOOKS = _shaped(
    {"object": st.just("page")},
    {"entry": st.lists(_shaped({"messaging": st.lists(_FB_EVENT, max_size=3)}, {"id": _TEXT}), max_size=2)},
)
SOCKETIO_DATA = _shaped({"message": _TEXT}, {"session_id": _TEXT, "customData": _JSON | _JSON.map(json.dumps)})


def _encoded(payloads: st.SearchStrategy) -> st.SearchStrategy:
    """The payload as a platform's body, or bytes that are no JSON at all."""
    return _mostly(payloads.map(lambda p: json.dumps(p).encode()), st.binary(max_size=50))


@pytest.mark.fuzz
@given(body=_encoded(TELEGRAM_UPDATES))
# Found by this test: aiogram failed on a date before year 1.
@example(body=b'{"update_id": 0, "message": {"message_id": 0, "chat": {"id": 0}, "date": -62135510401, "text": ""}}')
def test_any_telegram_body_is_answered_ignored_or_refused_and_rasa_can_read_an_answer(body: bytes) -> None:
    verdict = read_telegram(body)
    event(verdict.action)
    assert verdict.action in ("answer", "ignore", "refuse")
    if verdict.action == "answer":
        # What Rasa's Telegram handler does with it.
        update = Update(**verdict.payload)
        message = update.callback_query.message if update.callback_query else update.message
        text = update.callback_query.data if update.callback_query else message.text
        assert isinstance(text, str) and isinstance(message.chat.id, int)
        metadata = telegram_metadata(verdict.payload)
        assert metadata is None or isinstance(metadata["language_code"], str)


@pytest.mark.fuzz
@given(body=_encoded(SLACK_EVENTS))
def test_any_slack_event_is_answered_ignored_or_refused_and_rasa_can_read_an_answer(body: bytes) -> None:
    verdict = read_slack_event(body, Deliveries())
    event(verdict.action)
    assert verdict.action in ("answer", "ignore", "refuse")
    if verdict.action == "answer" and "event" in verdict.payload:
        # What Rasa's Slack handler does with it.
        assert RasaSlackInput._is_user_message(verdict.payload)
        users = [a["user_id"] for a in verdict.payload.get("authorizations", [])]
        assert isinstance(RasaSlackInput._sanitize_user_message(verdict.payload["event"]["text"], users), str)


@pytest.mark.fuzz
@given(payload=SLACK_ACTIONS.map(json.dumps) | st.text(max_size=50) | st.none())
def test_any_slack_interaction_is_answered_ignored_or_refused_and_rasa_can_read_an_answer(payload: Any) -> None:
    verdict = read_slack_action(payload)
    event(verdict.action)
    assert verdict.action in ("answer", "ignore", "refuse")
    if verdict.action == "answer":
        assert RasaSlackInput._is_interactive_message(verdict.payload)
        assert isinstance(RasaSlackInput._get_interactive_response(verdict.payload["actions"][0]), str)
        assert isinstance(verdict.payload["user"]["id"], str)


@pytest.mark.fuzz
@given(body=_encoded(MESSENGER_WEBHOOKS))
def test_any_messenger_body_is_answered_ignored_or_refused_and_rasa_can_read_an_answer(body: bytes) -> None:
    verdict = read_messenger(body)
    event(verdict.action)
    assert verdict.action in ("answer", "ignore", "refuse")
    for turn in verdict.payload if verdict.action == "answer" else []:
        # What Rasa's Messenger handler reads: a postback's payload or a user message's text.
        assert isinstance(turn["sender"]["id"], str)
        if "postback" in turn:
            assert isinstance(turn["postback"]["payload"], str)
        else:
            assert Messenger._is_user_message(turn) and isinstance(turn["message"]["text"], str)


@pytest.mark.fuzz
@given(data=SOCKETIO_DATA)
def test_any_socketio_data_is_a_message_or_nothing(data: Any) -> None:
    message = read_socketio(data)
    if message is not None:
        assert isinstance(message.text, str) and isinstance(message.metadata, dict)
        assert message.session_id is None or isinstance(message.session_id, str)
