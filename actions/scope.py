"""Questions the classifier finds out of scope or cannot place, which may still ask the store's own records or follow up."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import (
    AnswerAction, language_of, latest_confidence, latest_entities, latest_found, latest_intent, latest_ranking,
    latest_text,
)
from bot.domain.answers import Outcome, answer_fallback, answer_out_of_scope, answer_small_talk, with_later_questions
from bot.domain.store import default_store


# Above this confidence an out-of-scope message is taken as meant ("tell me a joke"), not as a follow-up.
SURE_OUT_OF_SCOPE = 0.9
# The intent Rasa's FallbackClassifier puts first when no other is clear.
FALLBACK_INTENT = "nlu_fallback"


class ActionAnswerOutOfScope(AnswerAction):
    def name(self) -> Text:
        return "action_answer_out_of_scope"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities and intent confidence, `focus` and `language`; sets `focus` when it answers."""
        store, lang, text, focus = default_store(), language_of(tracker), latest_text(tracker), tracker.get_slot(slots.FOCUS)
        outcome = answer_out_of_scope(
            store, latest_entities(tracker), lang, text, focus=focus, confident=latest_confidence(tracker) >= SURE_OUT_OF_SCOPE,
        )
        # "What is UNTSO? Also, what about the ELN?" reads as neither topic to the classifier: each is answered.
        return with_later_questions(store, outcome, text, focus, lang, latest_found(tracker))


class ActionAnswerFallback(AnswerAction):
    def name(self) -> Text:
        return "action_answer_fallback"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities, `focus` and `language`; sets `focus` when it answers."""
        # The classifier's first reading beneath the fallback, which only a question no source answers takes.
        leading = next((name for name, _ in latest_ranking(tracker) if name != FALLBACK_INTENT), None)
        return answer_fallback(
            default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker),
            tracker.get_slot(slots.FOCUS), latest_found(tracker), leading,
        )


class ActionAnswerSmallTalk(AnswerAction):
    def name(self) -> Text:
        return "action_answer_small_talk"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, intent and its confidence, entities, `focus` and `language`; sets `focus` when it answers."""
        return answer_small_talk(
            default_store(), latest_intent(tracker), latest_confidence(tracker), latest_entities(tracker),
            latest_found(tracker), tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker),
        )
