"""Slack, as Rasa's channel with this assistant's additions.

* The Web API base comes from SLACK_API_URL.
* A reply goes as one message in Slack's markup (``<url|text>``, the rest
  escaped: ``bot.channels.markup``), where Rasa's output sends each paragraph apart.
* All the replies to one question go as one ``chat.postMessage`` with blocks
  (``bot.channels.base.CardOutput``): a ``section`` for each paragraph's text,
  a ``context`` block for each source under it, then the rating question and
  its buttons, the suggestions' words and theirs (``actions`` blocks, each
  button's ``value`` its payload). ``text`` holds the whole, for notifications.
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
from bot.channels.base import CardOutput, MessageHandler, guarded
from bot.channels.markup import ButtonGroup, Card, chunks, pieces, slack_escape, slack_mrkdwn
from bot.channels.updates import Deliveries, read_slack_action, read_slack_event
from bot.runtime.settings import Settings

# Slack shows no buttons at all past five; Rasa then sends the text alone.
SLACK_MAX_BUTTONS = 5
# Block Kit's limits (https://api.slack.com/reference/block-kit/blocks): blocks in a message,
# characters in a section's or context element's text, elements in an actions block, a button's text and value.
SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_ACTIONS = 25
SLACK_MAX_BUTTON_TITLE = 75
SLACK_MAX_BUTTON_VALUE = 2000


class SlackOutput(CardOutput, SlackBot):
    """Rasa's Slack output, in Slack's markup: links as ``<url|text>``, the rest escaped; one message an answer."""

    async def send_card_message(self, recipient_id: Text, card: Card) -> None:
        """One message with blocks; a card without buttons or sources, as text alone."""
        recipient = self.slack_channel or recipient_id
        if not card.groups() and not card.has_citation():
            for text in chunks(card.texts(), SLACK_MAX_SECTION, slack_mrkdwn):
                await self._post_message(channel=recipient, as_user=True, text=text, type="mrkdwn")
            return
        blocks = slack_blocks(card)
        # Past Slack's 50 blocks (never for one answer), in several messages.
        for start in range(0, len(blocks), SLACK_MAX_BLOCKS):
            part = blocks[start:start + SLACK_MAX_BLOCKS]
            text = slack_fallback(card) if start == 0 else "\n\n".join(_block_texts(part))
            await self._post_message(channel=recipient, as_user=True, text=text, blocks=part)

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


def slack_blocks(card: Card) -> List[Dict[str, Any]]:
    """The card as Block Kit blocks: sections of text, a context block for each source, actions for the buttons."""
    blocks: List[Dict[str, Any]] = []
    for paragraph in card.paragraphs:
        for is_citation, text in pieces(paragraph):
            if is_citation:
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_mrkdwn(text)}]})
            else:
                blocks.extend(_section(part) for part in chunks([text], SLACK_MAX_SECTION, slack_mrkdwn))
    for group in card.groups():
        blocks.extend(_button_blocks(group))
    return blocks


def slack_fallback(card: Card) -> str:
    """The card's words as one text, which Slack shows in notifications and where blocks cannot be shown."""
    return "\n\n".join(slack_mrkdwn(text) for text in card.texts())


def _section(mrkdwn: str) -> Dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _button_blocks(group: ButtonGroup) -> List[Dict[str, Any]]:
    blocks = [_section(part) for part in chunks([group.label], SLACK_MAX_SECTION, slack_mrkdwn)] if group.label else []
    elements = [
        {"type": "button", "text": {"type": "plain_text", "text": b.title[:SLACK_MAX_BUTTON_TITLE]}, "value": b.payload}
        for b in group.buttons
        if b.title and len(b.payload) <= SLACK_MAX_BUTTON_VALUE
    ]
    blocks.extend(
        {"type": "actions", "elements": elements[i:i + SLACK_MAX_ACTIONS]} for i in range(0, len(elements), SLACK_MAX_ACTIONS)
    )
    return blocks


def _block_texts(blocks: List[Dict[str, Any]]) -> List[str]:
    texts = []
    for block in blocks:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts.extend(element["text"] for element in block["elements"])
        elif block["type"] == "actions":
            texts.append(" · ".join(slack_escape(element["text"]["text"]) for element in block["elements"]))
    return texts


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
