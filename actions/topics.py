"""Answers to the policy topics: aims, NATO, the UN, peace, disarmament and the rest."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of, latest_entities, latest_text, send
from bot.domain.answers import answer_topic
from bot.domain.store import default_store


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reads the latest text, intent, organisation/place entities and `language`; sets `focus`."""
        intent = tracker.latest_message.get("intent", {}).get("name") or ""
        answer = answer_topic(
            default_store(), intent, latest_entities(tracker), language_of(tracker), latest_text(tracker)
        )
        return send(dispatcher, answer)
