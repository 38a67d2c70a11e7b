"""Answers to the policy topics: aims, NATO, the UN, peace, disarmament and the rest."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.common import AnswerAction, language_of, latest_entities, latest_intent, latest_text
from bot.domain.answers import Outcome, answer_topic
from bot.domain.store import default_store


class ActionAnswerTopic(AnswerAction):
    def name(self) -> Text:
        return "action_answer_topic"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, intent, organisation/place entities and `language`; sets `focus`."""
        return answer_topic(
            default_store(), latest_intent(tracker), latest_entities(tracker), language_of(tracker), latest_text(tracker)
        )
