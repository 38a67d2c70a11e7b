"""Answers about Norwegian military, police and civilian personnel in UN missions."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.common import language_of, latest_entities, latest_text, send
from bot.domain.answers import answer_deployments
from bot.domain.store import default_store


class ActionAnswerDeployments(Action):
    def name(self) -> Text:
        return "action_answer_deployments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reads the text, mission/place/personnel entities, `focus` and `language`; sets `focus`."""
        answer = answer_deployments(
            default_store(),
            latest_entities(tracker),
            tracker.get_slot(slots.FOCUS),
            language_of(tracker),
            latest_text(tracker),
        )
        return send(dispatcher, answer)
