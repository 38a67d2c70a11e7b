"""What every channel does to a message and its replies (bot/channels/base.py), without any server."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.base import guarded, locale_only
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
