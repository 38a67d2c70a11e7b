"""Answers to the policy topics (aims, NATO, the UN, peace, disarmament and the rest), how current they are,
polite refusals, a switch of language that carries a question, greetings, thanks and goodbyes, and messages
the NLU is unsure of."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions import slots
from actions.common import (
    AnswerAction, as_follow_up, language_of, latest_entities, latest_found, latest_intent, latest_ranking, latest_text,
)
from bot.domain.answers import (
    Outcome, answer_currency, answer_language_switch, answer_request, answer_topic, with_later_questions,
)
from bot.domain.store import default_store


class ActionAnswerTopic(AnswerAction):
    def name(self) -> Text:
        return "action_answer_topic"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, intent and its confidence, organisation/place entities, `focus` and `language`; sets `focus`."""
        # A follow-up the classifier took for this topic by mistake ("con cuántos votos") is answered as one.
        follow_up = as_follow_up(tracker)
        if follow_up is not None:
            return follow_up
        store, lang, text, intent = default_store(), language_of(tracker), latest_text(tracker), latest_intent(tracker)
        first = answer_topic(store, intent, latest_entities(tracker), lang, text)
        return with_later_questions(store, first, text, tracker.get_slot(slots.FOCUS), lang, latest_found(tracker), intent)


class ActionAnswerCurrency(AnswerAction):
    def name(self) -> Text:
        return "action_answer_currency"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its intent's confidence, its entities, `focus` and `language`; keeps or sets `focus`."""
        return as_follow_up(tracker) or answer_currency(
            default_store(), latest_entities(tracker), tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker)
        )


class ActionRefuseRequest(AnswerAction):
    def name(self) -> Text:
        return "action_refuse_request"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its intent ranking and entities, `focus` and `language`; sets `focus` when it answers."""
        return answer_request(
            default_store(), latest_ranking(tracker), latest_entities(tracker), latest_found(tracker),
            tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker),
        )


class ActionSwitchLanguage(AnswerAction):
    def name(self) -> Text:
        return "action_switch_language"

    def outcome(self, tracker: Tracker) -> Outcome:
        """Reads the latest text, its entities, `focus` and `language` (already the one asked for); sets `focus` when it answers."""
        return answer_language_switch(
            default_store(), latest_entities(tracker), language_of(tracker), latest_text(tracker), latest_found(tracker),
            tracker.get_slot(slots.FOCUS),
        )
