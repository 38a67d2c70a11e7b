"""Slack, as Rasa's channel with this assistant's additions.

* The Web API base comes from SLACK_API_URL.
* A reply goes as one message in Slack's markup (``<url|text>``, the rest
  escaped: ``bot.channels.markup``), where Rasa's output sends each paragraph apart.
* Each user message and button press is answered once; edits, the bot's own
  posts, other interactions and repeated deliveries are ignored
  (``bot.channels.updates``), and no payload makes Rasa's handler fail.
* A user's conversation is ``slack:<team>:<user>`` (``bot.channels.keys``).
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import keys
from bot.channels.base import MessageHandler, guarded
from bot.channels.markup import slack_mrkdwn
from bot.channels.updates import Deliveries, read_slack_action, read_slack_event
from bot.runtime.settings import Settings

# Slack shows no buttons at all past five; Rasa then sends the text alone.
SLACK_MAX_BUTTONS = 5


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

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """Rasa's, with the user's conversation filed under their team (``slack:<team>:<user>``)."""
        conversation = keys.slack_key(slack_team(request), sender_id or "")
        return await super().process_message(request, on_new_message, text, conversation, metadata)

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        output = SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        output.client = AsyncWebClient(self.slack_token, proxy=self.proxy, base_url=slack_api_base())
        return output


def slack_api_base() -> str:
    # slack_sdk joins method names straight onto the base.
    base = Settings.from_env().slack_api_url
    return base if base.endswith("/") else base + "/"


def slack_team(request: Request) -> Optional[str]:
    """The team an event (``team_id``) or a button press (``team.id``) comes from."""
    if request.headers.get("content-type") == "application/json":
        data = request.json
        return data.get("team_id") if isinstance(data, dict) else None
    try:
        payload = json.loads(request.form.get("payload") or "{}")
    except ValueError:
        return None
    team = payload.get("team") if isinstance(payload, dict) else None
    return team.get("id") if isinstance(team, dict) else None
