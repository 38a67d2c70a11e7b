"""REST, as Rasa's channel with this assistant's additions.

* A body that is not a proper message is answered with 400 and a JSON error,
  where Rasa's own channel answers ``null``, ``[]`` or an empty body with 500.
* Each bot message carries ``metadata.language`` (``bot.channels.base``).
"""

from __future__ import annotations

from typing import Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.base import MessageHandler, guarded
from bot.runtime.settings import Settings
from bot.web.edge import EdgeError, parse_rest_message


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
