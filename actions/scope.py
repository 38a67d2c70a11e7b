"""Questions the classifier finds out of scope, which may still ask the store's own records."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.common import AnswerAction, language_of, latest_entities, latest_text
from bot.domain.answers import Outcome, answer_out_of_scope
from bot.domain.store import default_store


class ActionAnswerOutOfScope(AnswerAction):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities and `language`; sets `focus` when it answers from a record."""
        return answer_out_of_scope(default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker))
