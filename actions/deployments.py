"""Answers about Norwegian military, police and civilian personnel in UN missions."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import (
    AnswerAction, as_follow_up, language_of, latest_entities, latest_found, latest_intent, latest_text,
)
from bot.domain.answers import Outcome, answer_deployments, with_later_questions
from bot.domain.store import default_store


class ActionAnswerDeployments(AnswerAction):
    def name(self) -> Text:
        return "action_answer_deployments"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the text, intent and its confidence, mission/place/personnel entities, `focus` and `language`; sets `focus`."""
        # A follow-up the classifier took for this topic by mistake ("con cuántos votos") is answered as one.
        follow_up = as_follow_up(tracker)
        if follow_up is not None:
            return follow_up
        store, focus, lang, text = default_store(), tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker)
        intent = latest_intent(tracker)
        first = answer_deployments(store, intent, latest_entities(tracker), focus, lang, text)
        return with_later_questions(store, first, text, focus, lang, latest_found(tracker), intent)
