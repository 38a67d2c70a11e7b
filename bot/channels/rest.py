"""REST, as Rasa's channel with this assistant's additions.

* Each body is read as the web front reads it (``bot.channels.bodies``), so a
  body gets the same answer whichever way it comes: one that is not a proper
  message gets 400 or 413 and a JSON error, where Rasa's own channel answers
  ``null``, ``[]`` or an empty body with 500; a message over
  WEB_MAX_MESSAGE_CHARS gets the front's bot-style reply in the visitor's language.
* Each bot message carries ``metadata.language`` and ``metadata.token`` (``bot.channels.base``).
* A sender's conversation is ``rest:<sender>`` (``bot.channels.keys``): no
  REST sender reaches another channel's conversation.
"""

from __future__ import annotations

from typing import Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import keys
from bot.channels.base import MessageHandler, guarded
from bot.channels.bodies import Refusal, parse_rest_message, too_long_reply
from bot.runtime.settings import Settings


class RestInput(RasaRestInput):
    """Rasa's REST channel, answering bodies as the web front does instead of failing with 500."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message, keys.REST))
        settings = Settings.from_env()

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST":
                return None
            try:
                message = parse_rest_message(request.body, settings.web_max_body_bytes)
            except Refusal as error:
                return response.json({"error": error.message}, status=error.status)
            reply = too_long_reply(message, settings.web_max_message_chars, request.headers.get("Accept-Language", ""))
            return None if reply is None else response.json(reply)

        return blueprint
