"""The privacy channel: a visitor's conversation deleted on request, expired ones every hour."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any, Optional, Text

from rasa.core.channels.channel import InputChannel
from rasa.core.tracker_store import SQLTrackerStore
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import keys
from bot.channels.base import MessageHandler
from bot.channels.bodies import Refusal, parse_sender
from bot.runtime import privacy
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)

# How often the Rasa server deletes expired conversations (the first time at start).
RETENTION_INTERVAL_S = 3600.0
# A trusted REST back end's shared secret (REST_SHARED_SECRET).
SECRET_HEADER = "X-Rest-Secret"
FORBIDDEN = "`sender` must be the conversation's token (metadata.token of its replies)"


class PrivacyInput(InputChannel):
    """Deletes conversations: one on a visitor's request, and every expired one each hour.

    ``POST /webhooks/privacy/forget`` with ``{"sender": <token>}`` deletes the
    conversation the token belongs to (``bot.channels.keys``: every REST and
    socket.io reply carries it as ``metadata.token``): the page's and the
    widget's "clear conversation". A REST integrator's back end that sends
    REST_SHARED_SECRET in ``X-Rest-Secret`` may instead name its sender,
    ``{"sender": <id>}``, and ``rest:<id>`` is deleted. A bare id without that
    secret deletes nothing (403): it might be another channel's chat id or
    someone else's session. Runs inside the Rasa server, which owns the
    tracker store, under the conversation's lock, so no turn of it is in
    flight meanwhile.
    """

    @classmethod
    def name(cls) -> Text:
        return "privacy"

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = Blueprint("privacy_webhook", __name__)
        settings = Settings.from_env()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/forget", methods=["POST"])
        async def forget(request: Request) -> response.HTTPResponse:
            try:
                given = parse_sender(request.body, settings.web_max_body_bytes)
            except Refusal as error:
                return response.json({"error": error.message}, status=error.status)
            sender = _proven(given, request.headers.get(SECRET_HEADER, ""), settings)
            if sender is None:
                return response.json({"error": FORBIDDEN}, status=403)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender):
                # Synchronous, as all of Rasa's SQL store is: one short statement.
                deleted = privacy.delete_conversations(_sql_store(agent), [sender])
            return response.json({"deleted": deleted > 0})

        @blueprint.listener("after_server_start")
        async def start_retention(app: Any, _: Any) -> None:
            app.ctx.retention = asyncio.create_task(_retention(app, settings.conversation_retention_days))

        @blueprint.listener("before_server_stop")
        async def stop_retention(app: Any, _: Any) -> None:
            # Ended before the loop closes: a pending task would be reported as destroyed at Ctrl-C.
            retention = getattr(app.ctx, "retention", None)
            if retention is not None:
                retention.cancel()
                with suppress(asyncio.CancelledError):
                    await retention

        return blueprint


def _proven(given: str, secret: str, settings: Settings) -> Optional[str]:
    """The conversation the caller proved theirs: by its token, or as a trusted REST back end by its id."""
    if keys.secret_matches(settings.rest_shared_secret, secret):
        return keys.conversation_key(keys.REST, given)
    token_key = keys.token_key(settings.action_token)
    return None if token_key is None else keys.conversation_of(token_key, given)


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
