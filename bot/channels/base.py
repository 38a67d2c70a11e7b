"""What every input channel here does to a message before the dialogue sees it, and to each reply.

* A forged slash payload ("/restart") is read as words (``bot.channels.payloads``);
  only our buttons' payloads reach the dialogue as intents.
* Only the locale keys of a message's metadata (``locale``, ``language``,
  ``language_code``) are kept: whatever else a client sends is not stored with
  the conversation.
* REST and socket.io: each bot message carries ``metadata.language``, the
  language of the response (bot/server/nlg.py), so the page and widgets follow it,
  and ``metadata.token``, the conversation's token (``bot.channels.keys``),
  which the page sends to delete it.
* The conversation is filed under the channel's namespace (``telegram:<chat id>``,
  ``bot.channels.keys``); replies go back to the id the channel knows.
* On a platform whose output is a :class:`CardOutput` (Telegram, Slack,
  Messenger), the replies of one turn are held until the turn ends and go as
  one card (``bot.channels.markup.Card``): one answer, one message.
* A turn the action server could not serve, or one past the conversation's
  size limit, is not stored (``bot.server.turn``): its replies are dropped and
  the visitor is told, in their language, that the assistant is temporarily
  unavailable or that the conversation is full and how to start afresh.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, cast

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput

from bot.channels import keys
from bot.channels.bodies import wording
from bot.channels.markup import Card, card_of
from bot.channels.payloads import neutralise
from bot.domain.language import LOCALE_KEYS, Signals, decide, from_metadata, normalise
from bot.runtime.settings import Settings
from bot.server import turn as turns
from bot.server.nlg import LANGUAGE_KEY

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def guarded(on_new_message: MessageHandler, namespace: Optional[str] = None) -> MessageHandler:
    """``on_new_message`` with forged slash payloads read as words, locale-only metadata, language-tagged replies.

    With ``namespace``, the message's sender becomes the conversation key
    ``namespace:sender``; without, the channel has already made it one (Slack).
    """
    token_key = keys.token_key(Settings.from_env().action_token)

    async def handle(message: UserMessage) -> Any:
        locale = from_metadata(message.metadata)
        message.text = neutralise(message.text, locale) if isinstance(message.text, str) else ""
        message.metadata = locale_only(message.metadata)
        if namespace is not None:
            message.sender_id = keys.conversation_key(namespace, message.sender_id)
        output = with_language(message.output_channel)
        if isinstance(output, _LanguageTagged) and token_key is not None:
            output.token = keys.token(token_key, message.sender_id)
        turn = turns.begin()
        visitor = VisitorOutput(output, turn)
        message.output_channel = cast(OutputChannel, visitor)
        try:
            result = await on_new_message(message)
        finally:
            await visitor.send_held()
        if turn.problem is not None and output is not None:
            await _tell(output, message, turn)
        return result

    return handle


async def _tell(output: OutputChannel, message: UserMessage, turn: turns.Turn) -> None:
    """The reply to a turn that was not stored, in the language the message was read in (else the page's)."""
    language = normalise(turn.language) or decide(Signals(locale=from_metadata(message.metadata))).language
    reply = {"text": wording(turn.problem or "", language), LANGUAGE_KEY: language}
    await output.send_response(keys.visitor_id(message.sender_id), reply)


class CardOutput:
    """An output channel that shows all the replies to one question as one card, in its platform's own kind."""

    async def send_card(self, recipient_id: Text, messages: List[Dict[Text, Any]]) -> None:
        """The bot messages of one turn, as one card; as they are if one holds more than text and buttons."""
        card = card_of(messages)
        if card is None:
            for message in messages:
                await self.send_response(recipient_id, message)  # type: ignore[attr-defined]
        elif card.texts() or card.groups():
            await self.send_card_message(recipient_id, card)

    async def send_card_message(self, recipient_id: Text, card: Card) -> None:
        raise NotImplementedError


class VisitorOutput:
    """The channel's output, addressed by the id the channel knows (not the conversation key).

    Once the turn has a problem its replies are dropped: the visitor gets the
    one reply that says so (:func:`_tell`), not a fallback or half an answer.
    A :class:`CardOutput` gets the turn's replies together at its end
    (:meth:`send_held`). Everything else is the channel's own output's.
    """

    def __init__(self, output: Optional[OutputChannel], turn: turns.Turn) -> None:
        self.output = output
        self.turn = turn
        self.recipient: Optional[Text] = None
        self.held: List[Dict[Text, Any]] = []

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if self.turn.problem is not None or self.output is None:
            return
        if isinstance(self.output, CardOutput):
            self.recipient = keys.visitor_id(recipient_id)
            self.held.append(dict(message))
            return
        await self.output.send_response(keys.visitor_id(recipient_id), message)

    async def send_held(self) -> None:
        """The replies held for the turn's card, unless the turn has a problem."""
        held, self.held = self.held, []
        if held and self.recipient is not None and self.turn.problem is None and isinstance(self.output, CardOutput):
            await self.output.send_card(self.recipient, held)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.output, name)


def locale_only(metadata: Any) -> Optional[Dict[Text, Any]]:
    """The supported locales of ``metadata`` ("es-CO" as "es"): all that is kept with the conversation."""
    if not isinstance(metadata, dict):
        return None
    kept = {key: language for key in LOCALE_KEYS if (language := normalise(metadata.get(key)))}
    return kept or None


class _LanguageTagged:
    """Remembers the language of the response being sent, for the client (``metadata.language``)."""

    language: Optional[str] = None
    # The conversation's token (bot.channels.keys), for deleting it.
    token: Optional[str] = None

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.language = message.pop(LANGUAGE_KEY, None)
        await super().send_response(recipient_id, message)  # type: ignore[misc]

    def tagged(self, message: Dict[Text, Any]) -> Dict[Text, Any]:
        metadata = {name: value for name, value in (("language", self.language), ("token", self.token)) if value}
        return {**message, "metadata": metadata} if metadata else message


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
