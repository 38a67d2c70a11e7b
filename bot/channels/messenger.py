"""Facebook Messenger, as Rasa's channel with this assistant's additions.

* Every event of a batch that a user wrote is answered, in order; the rest
  is ignored (``bot.channels.updates``), and no payload makes Rasa's handler fail.
* ``X-Hub-Signature`` is checked without failing on a header Rasa cannot read.
* The Graph API base comes from FACEBOOK_API_URL.
* Messenger shows no markup: a link is its text, then its address (``bot.channels.markup``).
* All the replies to one question go as one message (``bot.channels.base.CardOutput``):
  the answer and any dated update, each source as its words with its address
  on the line under them, then the rating question and the suggestions' words;
  the rating and the suggestions are its quick replies, each with its payload,
  which comes back as the message's ``quick_reply.payload``.
* A user's conversation is ``messenger:<page-scoped id>`` (``bot.channels.keys``).
"""

from __future__ import annotations

import hmac
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import keys
from bot.channels.base import CardOutput, MessageHandler, guarded
from bot.channels.markup import Card, chunks, plain, plain_card_text
from bot.channels.updates import read_messenger
from bot.runtime.settings import Settings


# https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies: at most 13,
# a title of at most 20 characters, a payload of at most 1000; a text of at most 2000 characters.
MESSENGER_MAX_QUICK_REPLIES = 13
MESSENGER_MAX_TITLE = 20
MESSENGER_MAX_PAYLOAD = 1000
MESSENGER_MAX_TEXT = 2000


class MessengerOutput(CardOutput, MessengerBot):
    """Rasa's Messenger output; Messenger shows no markup, so a link is its text, then its address.

    One message an answer, its buttons as quick replies.
    """

    async def send_card_message(self, recipient_id: Text, card: Card) -> None:
        """One message: the card's texts, its rating and suggestions as quick replies.

        Past Messenger's length limit the text goes in several messages, the quick replies with the last.
        """
        texts = chunks(card.texts(), MESSENGER_MAX_TEXT, plain_card_text)
        if not texts:
            return
        for text in texts[:-1]:
            self.messenger_client.send({"text": text}, recipient_id, "RESPONSE")
        last: Dict[str, Any] = {"text": texts[-1]}
        replies = messenger_quick_replies(card)
        if replies:
            last["quick_replies"] = replies
        self.messenger_client.send(last, recipient_id, "RESPONSE")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, plain(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await super().send_text_with_buttons(recipient_id, plain(text), buttons, **kwargs)


def messenger_quick_replies(card: Card) -> List[Dict[str, str]]:
    """The card's buttons, the rating first, as Messenger's text quick replies."""
    replies = [
        {"content_type": "text", "title": _title(button.title), "payload": button.payload}
        for group in card.groups()
        for button in group.buttons
        if button.title and len(button.payload) <= MESSENGER_MAX_PAYLOAD
    ]
    return replies[:MESSENGER_MAX_QUICK_REPLIES]


def _title(title: str) -> str:
    return title if len(title) <= MESSENGER_MAX_TITLE else title[: MESSENGER_MAX_TITLE - 1].rstrip() + "…"


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
        safe = messenger_formed(guarded(on_new_message, keys.MESSENGER))
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
