"""Questions the classifier finds out of scope, which may still ask the store's own records."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of, latest_entities, latest_text, send
from bot.domain.answers import answer_out_of_scope
from bot.domain.store import default_store


class ActionAnswerOutOfScope(Action):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Reads the latest text, its entities and `language`; sets `focus` when it answers from a record."""
        answer = answer_out_of_scope(default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker))
        return send(dispatcher, answer)
