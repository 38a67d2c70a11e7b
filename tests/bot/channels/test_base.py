"""What every channel does to a message and its replies (bot/channels/base.py), without any server."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import keys
from bot.channels.base import guarded, locale_only
from bot.channels.bodies import load_messages
from bot.server import turn as turns
from tests.conftest import LANGS


@pytest.mark.parametrize(
    "metadata,kept",
    [
        ({"locale": "es-CO", "name": "Ana", "email": "ana@example.org"}, {"locale": "es"}),
        ({"language_code": "en-GB", "language": "klingon"}, {"language_code": "en"}),
        ({"tracking": "x"}, None),
        ("es", None),
        (None, None),
    ],
)
def test_only_supported_locales_are_kept_with_the_conversation(metadata, kept) -> None:  # type: ignore[no-untyped-def]
    assert locale_only(metadata) == kept


@pytest.mark.parametrize("lang", LANGS)
async def test_replies_tell_the_client_their_language(lang: str) -> None:
    collector = CollectingOutputChannel()
    received: list[UserMessage] = []

    async def assistant(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "hola", "language": lang})

    await guarded(assistant)(UserMessage("/restart", collector, "s", metadata={"locale": lang, "secret": 1}))

    [message] = received
    assert not message.text.startswith("/") and message.metadata == {"locale": lang}
    # Rasa's REST handler answers with the collector it made: the tagged replies must land there.
    assert collector.messages == [{"recipient_id": "s", "text": "hola", "metadata": {"language": lang}}]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_conversation_is_the_channels_and_replies_go_to_the_id_it_knows(lang: str) -> None:
    collector = CollectingOutputChannel()
    received: list[UserMessage] = []

    async def assistant(message: UserMessage) -> None:
        received.append(message)
        # Rasa answers to the tracker's sender id: the conversation key.
        await message.output_channel.send_response(message.sender_id, {"text": "hola", "language": lang})

    await guarded(assistant, keys.TELEGRAM)(UserMessage("hola", collector, 42, metadata={"language_code": lang}))

    assert received[0].sender_id == "telegram:42"
    assert collector.messages == [{"recipient_id": "42", "text": "hola", "metadata": {"language": lang}}]


@pytest.mark.parametrize("problem", [turns.UNAVAILABLE, turns.FULL])
@pytest.mark.parametrize("lang", LANGS)
async def test_a_turn_that_was_not_stored_gets_one_reply_that_says_why(problem: str, lang: str) -> None:
    collector = CollectingOutputChannel()

    async def assistant(message: UserMessage) -> None:
        current = turns.current()
        assert current is not None
        current.fail(problem)
        current.language = lang
        # What Rasa would send after a failed action: never shown.
        await message.output_channel.send_response(message.sender_id, {"text": "Sorry, I did not quite understand"})

    await guarded(assistant, keys.REST)(UserMessage("hi", collector, "s"))

    # The page follows the reply's language, as it does an answer's.
    assert collector.messages == [{"recipient_id": "s", "text": load_messages()[problem][lang], "metadata": {"language": lang}}]


@pytest.mark.parametrize("lang", LANGS)
async def test_replies_carry_the_conversations_token(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_TOKEN", "an action secret")
    collector = CollectingOutputChannel()

    async def assistant(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "hola", "language": lang})

    await guarded(assistant, keys.REST)(UserMessage("hola", collector, "abc"))

    [reply] = collector.messages
    token_key = keys.token_key("an action secret")
    assert token_key is not None and keys.conversation_of(token_key, reply["metadata"]["token"]) == "rest:abc"
    assert reply["metadata"]["language"] == lang
