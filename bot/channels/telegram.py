"""Telegram, as Rasa's channel with this assistant's additions.

* The user's Telegram language goes as ``language_code`` metadata (the first
  reply follows it).
* The /start and /help commands are answered.
* The Bot API base comes from TELEGRAM_API_URL.
* Telegram's secret-token header is checked when ``secret_token`` is configured.
* A reply goes as one message, in Telegram HTML (``bot.channels.markup``),
  where Rasa's output sends each paragraph apart (which would part an answer
  from its source).
* All the replies to one question go as one message (``bot.channels.base.CardOutput``):
  the answer and any dated update, each source a link under its paragraph,
  then the rating question and the suggestions' words; under it one inline
  keyboard, the rating's buttons on the first row, the suggestions two a row.
  A button's ``callback_data`` is its payload, which comes back as the
  ``data`` of a callback query, read as the user's message. Each press is
  answered (``answerCallbackQuery``), or the app would show it pending.
* Updates are read with ``bot.channels.updates``: a user turn is answered,
  anything else ignored, and no payload makes Rasa's handler fail.
* A chat's conversation is ``telegram:<chat id>`` (``bot.channels.keys``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Dict, List, Optional, Text

import aiohttp
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import keys
from bot.channels.base import CardOutput, MessageHandler, guarded
from bot.channels.markup import Button, Card, chunks, telegram_html
from bot.channels.updates import read_telegram
from bot.runtime.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The parts of a Telegram update that say who wrote (https://core.telegram.org/bots/api#update).
UPDATE_KINDS = ("message", "edited_message", "callback_query", "channel_post", "edited_channel_post")
# Telegram's standard commands, as the intents that answer them. Every
# conversation opens with /start.
TELEGRAM_COMMANDS = {"/start": "/greet", "/help": "/ask_help"}
# A button's callback_data is 1-64 bytes (https://core.telegram.org/bots/api#inlinekeyboardbutton);
# one longer would make Telegram refuse the whole message.
TELEGRAM_MAX_CALLBACK_BYTES = 64
# A message's text, at most 4096 characters after its HTML is read: the HTML is counted, which is longer.
TELEGRAM_MAX_TEXT = 4096
# Suggestions a row: their titles stay readable on a phone.
TELEGRAM_SUGGESTIONS_A_ROW = 2

logger = logging.getLogger(__name__)


class TelegramOutput(CardOutput, RasaTelegramOutput):
    """Rasa's Telegram output, talking to the configured Bot API server, in Telegram HTML; one message an answer."""

    def __init__(self, access_token: Optional[Text], api_url: str) -> None:
        # Bot.__init__ of aiogram, with the server; OutputChannel needs no set-up.
        super(RasaTelegramOutput, self).__init__(access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_message(recipient_id, text.strip())

    async def send_message(self, chat_id: Any, text: Text, *args: Any, **kwargs: Any) -> Any:
        """aiogram's sendMessage, with every text (plain or with buttons) rendered as Telegram HTML."""
        return await self._send_html(chat_id, telegram_html(text), *args, **kwargs)

    async def _send_html(self, chat_id: Any, text: Text, *args: Any, **kwargs: Any) -> Any:
        kwargs["parse_mode"] = "HTML"
        # A preview card of the cited page would bury the answer.
        kwargs.setdefault("disable_web_page_preview", True)
        return await super().send_message(chat_id, text, *args, **kwargs)

    async def send_card_message(self, recipient_id: Text, card: Card) -> None:
        """One message: the card's texts in Telegram HTML, its buttons as an inline keyboard under them.

        Past Telegram's length limit the text goes in several messages, the keyboard under the last.
        """
        texts = chunks(card.texts(), TELEGRAM_MAX_TEXT, telegram_html)
        keyboard = telegram_keyboard(card)
        if not texts:
            return
        for text in texts[:-1]:
            await self._send_html(recipient_id, text)
        if keyboard is None:
            await self._send_html(recipient_id, texts[-1])
        else:
            await self._send_html(recipient_id, texts[-1], reply_markup=keyboard)


def telegram_keyboard(card: Card) -> Optional[InlineKeyboardMarkup]:
    """The card's buttons as one inline keyboard: the rating in one row, the suggestions two a row."""
    rows: List[List[InlineKeyboardButton]] = []
    if card.rating:
        rows.append(_inline_buttons(card.rating.buttons))
    for group in card.suggestions:
        buttons = _inline_buttons(group.buttons)
        rows.extend(buttons[i:i + TELEGRAM_SUGGESTIONS_A_ROW] for i in range(0, len(buttons), TELEGRAM_SUGGESTIONS_A_ROW))
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _inline_buttons(buttons: Any) -> List[InlineKeyboardButton]:
    kept = []
    for button in buttons:
        if not isinstance(button, Button) or len(button.payload.encode()) > TELEGRAM_MAX_CALLBACK_BYTES:
            logger.warning("A button's payload is over Telegram's %d bytes: left out (%r)", TELEGRAM_MAX_CALLBACK_BYTES,
                           getattr(button, "payload", button))
            continue
        kept.append(InlineKeyboardButton(button.title, callback_data=button.payload))
    return kept


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"))
        channel.secret_token = credentials.get("secret_token") or None
        return channel

    secret_token: Optional[str] = None
    # The output the webhook answers through (made by Rasa's blueprint), for answering button presses.
    output: Optional[TelegramOutput] = None

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """``{"language_code": ...}`` of the Telegram user who wrote, when Telegram sent one."""
        return telegram_metadata(request.json)

    def get_output_channel(self) -> TelegramOutput:
        channel = TelegramOutput(self.access_token, Settings.from_env().telegram_api_url)
        try:
            asyncio.run(_register_webhook(channel, self.webhook_url, self.secret_token))
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set channel webhook: {error}") from error
        self.output = channel
        return channel

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        safe = guarded(on_new_message, keys.TELEGRAM)

        async def with_commands(message: UserMessage) -> Any:
            # Telegram's own commands ("/start") become our payloads before the guard sees them.
            message.text = telegram_command(message.text)
            return await safe(message)

        blueprint = super().blueprint(with_commands)
        secret = self.secret_token

        @blueprint.middleware("request")
        async def check_secret(request: Request) -> Optional[response.HTTPResponse]:
            # Telegram repeats the secret given at setWebhook in each update; others cannot.
            if secret and request.method == "POST":
                sent = request.headers.get(SECRET_HEADER, "")
                if not hmac.compare_digest(sent.encode(), secret.encode()):
                    return response.text("forbidden", status=403)
            return None

        @blueprint.middleware("request")
        async def check_update(request: Request) -> Optional[response.HTTPResponse]:
            # Rasa's handler fails with 500 on anything but a well-formed text, button or location.
            if request.method != "POST":
                return None
            verdict = read_telegram(request.body)
            if verdict.action == "refuse":
                return response.json({"error": "not a Telegram update"}, status=400)
            if verdict.action == "ignore":
                return response.text("success")
            request.parsed_json = verdict.payload
            press = verdict.payload.get("callback_query")
            if press and press.get("id") and self.output is not None:
                await _answer_press(self.output, press["id"])
            return None

        return blueprint


async def _register_webhook(channel: TelegramOutput, url: Optional[str], secret: Optional[str]) -> None:
    try:
        payload = {"url": url}
        if secret:
            payload["secret_token"] = secret
        # aiogram 2.15 predates `secret_token`, so the raw method is called.
        await channel.request("setWebhook", payload)
    finally:
        # The session belongs to this short-lived loop; the server's loop opens its own.
        await channel.session.close()


async def _answer_press(channel: TelegramOutput, query_id: str) -> None:
    """Tells Telegram a button press was received: until then the app shows it pending."""
    try:
        await channel.answer_callback_query(query_id)
    except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as error:
        # The press is answered all the same: the reply follows.
        logger.warning("Could not acknowledge a Telegram button press: %s", error)


def telegram_command(text: Optional[Text]) -> Optional[Text]:
    """The intent for a Telegram command ("/start", "/start@this_bot", "/start ref"), else the text as it is."""
    words = (text or "").split()
    command = words[0].split("@", 1)[0].lower() if words else ""
    return TELEGRAM_COMMANDS.get(command, text)


def telegram_metadata(update: Any) -> Optional[Dict[Text, Any]]:
    if isinstance(update, str):
        try:
            update = json.loads(update)
        except ValueError:
            return None
    if not isinstance(update, dict):
        return None
    for kind in UPDATE_KINDS:
        part = update.get(kind)
        sender = part.get("from") if isinstance(part, dict) else None
        if isinstance(sender, dict):
            code = sender.get("language_code")
            return {"language_code": code} if isinstance(code, str) and code else None
    return None
