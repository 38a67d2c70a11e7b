"""Helpers every answer action uses: the visitor's language, entities, follow-ups, sending replies."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from bot.domain import clauses
from bot.domain.answers import Entities, Outcome, confirming_switch, follow_up_outcome, with_names_read
from bot.domain.language import REQUESTED_KEY, Lang, Signals, decide, normalise
from bot.domain.store import default_store


def language_of(tracker: Tracker) -> Lang:
    """The conversation's language (the NLU and the session start decided it), else English."""
    return decide(Signals(conversation=normalise(tracker.get_slot(slots.LANGUAGE)))).language


def latest_entities(tracker: Tracker) -> Entities:
    """Entity values of the latest user message, grouped by type, or "type:role" when it has a role, and the
    peace processes it names; in a follow-up the NLU found no names in, the kinds of personnel its words name."""
    store, text = default_store(), latest_text(tracker)
    return with_names_read(store, clauses.entities(text, store, latest_found(tracker)), text)


def latest_found(tracker: Tracker) -> List[Dict[str, Any]]:
    """The latest user message's entities as the NLU found them, with their offsets."""
    return list(tracker.latest_message.get("entities") or [])


def asked_for_language(tracker: Tracker) -> bool:
    """Whether the latest message asked for its language ("En español, por favor: ...")."""
    return any(e.get("entity") == slots.LANGUAGE and e.get(REQUESTED_KEY) for e in tracker.latest_message.get("entities", []))


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def latest_ranking(tracker: Tracker) -> List[Tuple[str, float]]:
    """The latest message's intents and their confidences, as the classifier ranked them."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [(str(entry.get("name") or ""), float(entry.get("confidence") or 0.0)) for entry in ranking]


def latest_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def as_follow_up(tracker: Tracker) -> Optional[Outcome]:
    """The latest message answered as a follow-up on `focus`, if it reads as one the classifier was unsure of."""
    return follow_up_outcome(
        default_store(), latest_intent(tracker), latest_confidence(tracker), latest_entities(tracker),
        tracker.get_slot(slots.FOCUS), language_of(tracker), latest_text(tracker),
    )


def send(dispatcher: CollectingDispatcher, outcome: Outcome) -> List[Dict[str, Any]]:
    """Utter every reply of ``outcome`` and remember its focus for follow-ups."""
    for reply in outcome.replies:
        dispatcher.utter_message(response=reply.response, **reply.values)
    return [SlotSet(slots.FOCUS, outcome.focus)] if outcome.focus else []


class AnswerAction(Action, ABC):
    """An action that answers the latest message from the store (rasa-sdk skips this abstract class)."""

    @abstractmethod
    def outcome(self, tracker: Tracker) -> Outcome:
        """What answering the tracker's latest message comes to."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        outcome = self.outcome(tracker)
        return send(dispatcher, confirming_switch(outcome) if asked_for_language(tracker) else outcome)
