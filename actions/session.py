"""Conversation start: the first language comes from the channel's or page's locale."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from bot.domain.language import from_locale, from_metadata


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reads `session_started_metadata` and the old `language`; sets `language`."""
        language = from_metadata(tracker.get_slot(slots.SESSION_STARTED_METADATA)) or from_locale(
            tracker.get_slot(slots.LANGUAGE)
        )
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if language:
            events.append(SlotSet(slots.LANGUAGE, language))
        return events + [ActionExecuted("action_listen")]

