"""Rasa input channels adapted to this assistant.

Used from credentials.yml by module path; they keep the built-in channel's
name, so their webhooks stay at ``/webhooks/telegram/webhook`` and
``/webhooks/slack/webhook``.

* Telegram: passes the user's Telegram language as ``language_code`` metadata
  (the first reply follows it), answers the /start and /help commands, takes
  its API base from TELEGRAM_API_URL, and checks Telegram's secret-token
  header when ``secret_token`` is configured.
* Slack: takes its API base from SLACK_API_URL.
* Replies: each platform gets the replies' links and lists in its own markup
  (``bot.channels.markup``): Telegram HTML, Slack's ``<url|text>``, Messenger the
  link's text then its address. On Telegram and Slack a reply goes as one
  message, where Rasa's outputs send each paragraph apart (which would part an
  answer from its source).
* REST: answers a body that is not a proper message with 400 and a JSON
  error, where Rasa's own channel answers ``null``, ``[]`` or an empty body
  with 500.
* Every channel here reads a forged slash payload ("/restart") as words
  (``bot.channels.payloads``); only our buttons' payloads reach the dialogue as intents.
* Every channel keeps only the locale keys of a message's metadata
  (``locale``, ``language``, ``language_code``): whatever else a client sends
  is not stored with the conversation.
* REST and socket.io: each bot message carries ``metadata.language``, the
  language of the response (bot/server/nlg.py), so the page and widgets follow it.
* Privacy (``/webhooks/privacy/forget``): deletes a visitor's conversation
  from the tracker store, for the page's "clear conversation" control.
* Telegram, Slack, Messenger and socket.io read what they receive with
  ``bot.channels.updates``, the same rules for all: a user turn is answered (one
  without words, such as a sticker, with the rephrase prompt), anything else
  (edits, the bot's own messages, echoes, retries, service events) is
  ignored, and no payload, however malformed, makes Rasa's handler fail.
* socket.io: really joins a visitor to their session's room. Rasa 3.6 calls
  python-socketio's ``enter_room`` without awaiting it, which the installed
  python-socketio 5 made a coroutine, so with ``session_persistence`` no reply
  ever reached the visitor.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger, MessengerBot
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import privacy
from bot.channels.payloads import neutralise
from bot.runtime.settings import Settings
from bot.domain.language import LOCALE_KEYS, from_metadata, normalise
from bot.channels.markup import plain, slack_mrkdwn, telegram_html
from bot.server.nlg import LANGUAGE_KEY
from bot.channels.updates import (
    Deliveries, read_messenger, read_slack_action, read_slack_event, read_socketio, read_telegram, socketio_session,
)
from bot.web.edge import EdgeError, parse_rest_message, parse_sender

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The parts of a Telegram update that say who wrote (https://core.telegram.org/bots/api#update).
UPDATE_KINDS = ("message", "edited_message", "callback_query", "channel_post", "edited_channel_post")
# Telegram's standard commands, as the intents that answer them. Every
# conversation opens with /start.
TELEGRAM_COMMANDS = {"/start": "/greet", "/help": "/ask_help"}
# Slack shows no buttons at all past five; Rasa then sends the text alone.
SLACK_MAX_BUTTONS = 5
# How often the Rasa server deletes expired conversations (the first time at start).
RETENTION_INTERVAL_S = 3600.0


class TelegramOutput(RasaTelegramOutput):
    """Rasa's Telegram output, talking to the configured Bot API server, in Telegram HTML."""

    def __init__(self, access_token: Optional[Text], api_url: str) -> None:
        # Bot.__init__ of aiogram, with the server; OutputChannel needs no set-up.
        super(RasaTelegramOutput, self).__init__(access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_message(recipient_id, text.strip())

    async def send_message(self, chat_id: Any, text: Text, *args: Any, **kwargs: Any) -> Any:
        """aiogram's sendMessage, with every text (plain or with buttons) rendered as Telegram HTML."""
        kwargs["parse_mode"] = "HTML"
        # A preview card of the cited page would bury the answer.
        kwargs.setdefault("disable_web_page_preview", True)
        return await super().send_message(chat_id, telegram_html(text), *args, **kwargs)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"))
        channel.secret_token = credentials.get("secret_token") or None
        return channel

    secret_token: Optional[str] = None

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """``{"language_code": ...}`` of the Telegram user who wrote, when Telegram sent one."""
        return telegram_metadata(request.json)

    def get_output_channel(self) -> TelegramOutput:
        channel = TelegramOutput(self.access_token, Settings.from_env().telegram_api_url)
        try:
            asyncio.run(_register_webhook(channel, self.webhook_url, self.secret_token))
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set channel webhook: {error}") from error
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        safe = guarded(on_new_message)

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


class RestInput(RasaRestInput):
    """Rasa's REST channel, refusing malformed bodies with 400 instead of failing with 500."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST":
                return None
            try:
                message = parse_rest_message(request.body)
            except EdgeError as error:
                return response.json({"error": error.message}, status=error.status)
            if len(message.message) > limit:
                return response.json({"error": f"`message` is longer than {limit} characters"}, status=400)
            return None

        limit = Settings.from_env().web_max_message_chars
        return blueprint


class MessengerOutput(MessengerBot):
    """Rasa's Messenger output; Messenger shows no markup, so a link is its text, then its address."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, plain(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await super().send_text_with_buttons(recipient_id, plain(text), buttons, **kwargs)


def messenger_formed(on_new_message: MessageHandler) -> MessageHandler:
    """``on_new_message`` answering through :class:`MessengerOutput`.

    Rasa builds Messenger's output inside its webhook handler, for each message;
    it is swapped here, before any reply is sent.
    """

    async def handle(message: UserMessage) -> Any:
        if isinstance(message.output_channel, MessengerBot):
            message.output_channel = MessengerOutput(message.output_channel.messenger_client)
        return await on_new_message(message)

    return handle


class FacebookInput(RasaFacebookInput):
    """Rasa's Messenger input: every event of a batch that a user wrote, the rest ignored (``bot.channels.updates``);
    it reads forged slash payloads as words and answers through MessengerOutput."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        safe = messenger_formed(guarded(on_new_message))
        blueprint = super().blueprint(safe)

        @blueprint.middleware("request")
        async def handle_events(request: Request) -> Optional[response.HTTPResponse]:
            # Rasa's handler answers the first event of a batch only, and fails on a malformed one.
            if request.method != "POST":
                return None
            if not hub_signature_valid(self.fb_secret, request.body, request.headers.get("X-Hub-Signature", "")):
                return response.text("not validated", status=403)
            verdict = read_messenger(request.body)
            if verdict.action == "refuse":
                return response.json({"error": "not a Messenger webhook"}, status=400)
            messenger = Messenger(self.fb_access_token, safe)
            messenger.client.graph_url = Settings.from_env().facebook_api_url or messenger.client.graph_url
            for event in verdict.payload or []:
                await messenger.handle({"entry": [{"messaging": [event]}]}, self.get_metadata(request))
            return response.text("success")

        return blueprint

    def get_output_channel(self) -> OutputChannel:
        output = super().get_output_channel()
        assert isinstance(output, MessengerBot)
        return MessengerOutput(output.messenger_client)


def hub_signature_valid(secret: Optional[str], body: bytes, header: str) -> bool:
    """Whether ``X-Hub-Signature`` ("sha1=<hex>") signs ``body`` with the app secret.

    Rasa's own check looks the hash up by any name the header gives, so "x=y" failed with 500.
    """
    method, _, signature = header.partition("=")
    if method not in ("sha1", "sha256") or not secret:
        return False
    digest = hmac.new(secret.encode(), body, method).hexdigest()
    return hmac.compare_digest(digest, signature)


class SlackOutput(SlackBot):
    """Rasa's Slack output, in Slack's markup: links as ``<url|text>``, the rest escaped."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        await self._post_message(channel=recipient, as_user=True, text=slack_mrkdwn(text.strip()), type="mrkdwn")

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        if len(buttons) > SLACK_MAX_BUTTONS:
            return await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        marked = slack_mrkdwn(text.strip())
        section = {"type": "section", "text": {"type": "mrkdwn", "text": marked}}
        elements = [
            {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]} for b in buttons
        ]
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            as_user=True,
            text=marked,
            blocks=[section, {"type": "actions", "elements": elements}],
        )


class SlackInput(RasaSlackInput):
    """Rasa's Slack input, answering through the configured Slack Web API base.

    Each user message and button press is answered once; edits, the bot's own
    posts, other interactions and repeated deliveries are ignored (``bot.channels.updates``).
    """

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))
        deliveries = Deliveries()

        @blueprint.middleware("request")
        async def check_event(request: Request) -> Optional[response.HTTPResponse]:
            # Unsigned requests go on to Rasa's handler, which refuses them with 400.
            if request.method != "POST" or not self.is_request_from_slack_authentic(request):
                return None
            content_type = request.headers.get("content-type")
            if content_type == "application/json":
                verdict = read_slack_event(request.body, deliveries)
            elif content_type == "application/x-www-form-urlencoded":
                verdict = read_slack_action(request.form.get("payload"))
            else:
                return None
            if verdict.action == "refuse":
                return response.json({"error": "not a Slack request"}, status=400)
            if verdict.action == "ignore":
                return response.text("", headers={"X-Slack-No-Retry": "1"})
            if content_type == "application/json":
                request.parsed_json = verdict.payload
            return None

        return blueprint

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        output = SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        output.client = AsyncWebClient(self.slack_token, proxy=self.proxy, base_url=slack_api_base())
        return output


def slack_api_base() -> str:
    # slack_sdk joins method names straight onto the base.
    base = Settings.from_env().slack_api_url
    return base if base.endswith("/") else base + "/"


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        safe = guarded(on_new_message)
        blueprint = super().blueprint(safe)
        sio = self.sio
        assert sio is not None

        async def session_request(sid: Text, data: Any) -> None:
            session_id = socketio_session(data) or uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def user_message(sid: Text, data: Any) -> None:
            # Rasa's handler fails on data that is not an object or on metadata that is not JSON,
            # and a failure here is a task nobody awaits.
            message = read_socketio(data, self.metadata_key)
            sender = message.session_id if message and self.session_persistence else sid
            if message is None or sender is None:
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            await safe(UserMessage(message.text, output, sender, input_channel=self.name(), metadata=message.metadata))

        # Replace the handlers Rasa registered for the same events.
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        return blueprint


class PrivacyInput(InputChannel):
    """Deletes conversations: one on a visitor's request, and every expired one each hour.

    ``POST /webhooks/privacy/forget`` with ``{"sender": ...}`` deletes that
    conversation. Runs inside the Rasa server, which owns the tracker store,
    under the conversation's lock, so no turn of it is in flight meanwhile.
    """

    @classmethod
    def name(cls) -> Text:
        return "privacy"

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = Blueprint("privacy_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/forget", methods=["POST"])
        async def forget(request: Request) -> response.HTTPResponse:
            try:
                sender = parse_sender(request.body)
            except EdgeError as error:
                return response.json({"error": error.message}, status=error.status)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender):
                # Synchronous, as all of Rasa's SQL store is: one short statement.
                deleted = privacy.delete_conversations(_sql_store(agent), [sender])
            return response.json({"deleted": deleted > 0})

        @blueprint.listener("after_server_start")
        async def start_retention(app: Any, _: Any) -> None:
            app.add_task(_retention(app, Settings.from_env().conversation_retention_days))

        return blueprint


async def _retention(app: Any, days: int) -> None:
    """Every RETENTION_INTERVAL_S, the conversations idle for more than ``days`` are deleted."""
    while True:
        try:
            agent = app.ctx.agent
            senders = privacy.purge(_sql_store(agent), days)
            if senders:
                log.info("deleted %d conversation(s) idle for more than %d day(s)", len(senders), days)
        except Exception:
            # A database that is briefly away must not end retention for good.
            log.exception("retention: deleting expired conversations failed; next try in an hour")
        await asyncio.sleep(RETENTION_INTERVAL_S)


def _sql_store(agent: Any) -> SQLTrackerStore:
    store = privacy.sql_store(agent.tracker_store)
    if store is None:
        raise RuntimeError("the tracker store is not an SQL store; see bot/runtime/endpoints.py")
    return store
