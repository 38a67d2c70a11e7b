"""Questions the classifier finds out of scope or cannot place, which may still ask the store's own records or follow up."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import AnswerAction, language_of, latest_confidence, latest_entities, latest_intent, latest_text
from bot.domain.answers import Outcome, answer_fallback, answer_out_of_scope, answer_small_talk
from bot.domain.store import default_store


# Above this confidence an out-of-scope message is taken as meant ("tell me a joke"), not as a follow-up.
SURE_OUT_OF_SCOPE = 0.9


class ActionAnswerOutOfScope(AnswerAction):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities and intent confidence, `focus` and `language`; sets `focus` when it answers."""
        return answer_out_of_scope(
            default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker),
            focus=tracker.get_slot(slots.FOCUS), confident=latest_confidence(tracker) >= SURE_OUT_OF_SCOPE,
        )


class ActionAnswerFallback(AnswerAction):
    def name(self) -> Text:
        return "action_answer_fallback"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities, `focus` and `language`; sets `focus` when it answers a follow-up."""
        return answer_fallback(
            default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker), tracker.get_slot(slots.FOCUS)
        )


class ActionAnswerSmallTalk(AnswerAction):
    def name(self) -> Text:
        return "action_answer_small_talk"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, intent and its confidence, entities, `focus` and `language`; sets `focus` when it answers a follow-up."""
        return answer_small_talk(
            default_store(), latest_intent(tracker), latest_confidence(tracker), latest_entities(tracker),
            tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker),
        )
