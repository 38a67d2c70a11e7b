"""Conversation start: the first language comes from the channel's or page's locale."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from bot.domain.language import Reason, Signals, decide, from_metadata, normalise


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reads `session_started_metadata` and the old `language`; sets `language`."""
        decision = decide(
            Signals(
                locale=from_metadata(tracker.get_slot(slots.SESSION_STARTED_METADATA)),
                conversation=normalise(tracker.get_slot(slots.LANGUAGE)),
            )
        )
        events: List[Dict[Text, Any]] = [SessionStarted()]
        # Without a slot the replies are English (bot/server/nlg.py): nothing to set.
        if decision.reason is not Reason.DEFAULT:
            events.append(SlotSet(slots.LANGUAGE, decision.language))
        return events + [ActionExecuted("action_listen")]

