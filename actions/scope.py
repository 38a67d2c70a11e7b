"""Questions the classifier finds out of scope, which may still ask the store's own records."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import AnswerAction, language_of, latest_entities, latest_found, latest_text
from bot.domain.answers import Outcome, answer_out_of_scope, with_later_questions
from bot.domain.store import default_store


# Above this confidence an out-of-scope message is taken as meant ("tell me a joke"), not as a follow-up.
SURE_OUT_OF_SCOPE = 0.9


class ActionAnswerOutOfScope(AnswerAction):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities and intent confidence, `focus` and `language`; sets `focus` when it answers."""
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        store, lang, text, focus = default_store(), language_of(tracker), latest_text(tracker), tracker.get_slot(slots.FOCUS)
        outcome = answer_out_of_scope(
            store, latest_entities(tracker), lang, text, focus=focus, confident=confidence >= SURE_OUT_OF_SCOPE,
        )
        # "What is UNTSO? Also, what about the ELN?" reads as neither topic to the classifier: each is answered.
        return with_later_questions(store, outcome, text, focus, lang, latest_found(tracker))
