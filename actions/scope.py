"""Questions the classifier finds out of scope, which may still ask the store's own records."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import AnswerAction, language_of, latest_entities, latest_text
from bot.domain.answers import Outcome, answer_out_of_scope
from bot.domain.store import default_store


# Above this confidence an out-of-scope message is taken as meant ("tell me a joke"), not as a follow-up.
SURE_OUT_OF_SCOPE = 0.9


class ActionAnswerOutOfScope(AnswerAction):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities and intent confidence, `focus` and `language`; sets `focus` when it answers."""
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        return answer_out_of_scope(
            default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker),
            focus=tracker.get_slot(slots.FOCUS), confident=confidence >= SURE_OUT_OF_SCOPE,
        )
