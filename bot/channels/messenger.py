"""Facebook Messenger, as Rasa's channel with this assistant's additions.

* Every event of a batch that a user wrote is answered, in order; the rest
  is ignored (``bot.channels.updates``), and no payload makes Rasa's handler fail.
* ``X-Hub-Signature`` is checked without failing on a header Rasa cannot read.
* The Graph API base comes from FACEBOOK_API_URL.
* Messenger shows no markup: a link is its text, then its address (``bot.channels.markup``).
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
from bot.channels.base import MessageHandler, guarded
from bot.channels.markup import plain
from bot.channels.updates import read_messenger
from bot.runtime.settings import Settings


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
