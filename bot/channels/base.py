"""What every input channel here does to a message before the dialogue sees it, and to each reply.

* A forged slash payload ("/restart") is read as words (``bot.channels.payloads``);
  only our buttons' payloads reach the dialogue as intents.
* Only the locale keys of a message's metadata (``locale``, ``language``,
  ``language_code``) are kept: whatever else a client sends is not stored with
  the conversation.
* REST and socket.io: each bot message carries ``metadata.language``, the
  language of the response (bot/server/nlg.py), so the page and widgets follow it.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput

from bot.channels.payloads import neutralise
from bot.domain.language import LOCALE_KEYS, from_metadata, normalise
from bot.server.nlg import LANGUAGE_KEY

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def guarded(on_new_message: MessageHandler) -> MessageHandler:
    """``on_new_message`` with forged slash payloads read as words, locale-only metadata, language-tagged replies."""

    async def handle(message: UserMessage) -> Any:
        locale = from_metadata(message.metadata)
        message.text = neutralise(message.text, locale) if isinstance(message.text, str) else ""
        message.metadata = locale_only(message.metadata)
        message.output_channel = with_language(message.output_channel)
        return await on_new_message(message)

    return handle


def locale_only(metadata: Any) -> Optional[Dict[Text, Any]]:
    """The supported locales of ``metadata`` ("es-CO" as "es"): all that is kept with the conversation."""
    if not isinstance(metadata, dict):
        return None
    kept = {key: language for key in LOCALE_KEYS if (language := normalise(metadata.get(key)))}
    return kept or None


class _LanguageTagged:
    """Remembers the language of the response being sent, for the client (``metadata.language``)."""

    language: Optional[str] = None

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.language = message.pop(LANGUAGE_KEY, None)
        await super().send_response(recipient_id, message)  # type: ignore[misc]

    def tagged(self, message: Dict[Text, Any]) -> Dict[Text, Any]:
        return {**message, "metadata": {"language": self.language}} if self.language else message


class LanguageCollectingOutput(_LanguageTagged, CollectingOutputChannel):
    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        await super()._persist_message(self.tagged(message))


class LanguageSocketIOOutput(_LanguageTagged, SocketIOOutput):
    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(socket_id, self.tagged(response))


def with_language(output: Optional[OutputChannel]) -> Optional[OutputChannel]:
    """The same output, with each message telling its language: REST's collector and socket.io."""
    if type(output) is CollectingOutputChannel:
        tagged = LanguageCollectingOutput()
        # Rasa's REST handler answers with the list of the collector it made.
        tagged.messages = output.messages
        return tagged
    if type(output) is SocketIOOutput:
        return LanguageSocketIOOutput(output.sio, output.bot_message_evt)
    return output
