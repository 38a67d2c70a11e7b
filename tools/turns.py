"""Turning stored events into turns: one visitor message and everything the assistant did about it.

The shell prints a turn as its staff line; the report counts turns. Both read
only what Rasa stored: the message's parse data, the slots set, the actions
run and the responses sent (whose metadata carries the fact ids answered).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from bot.domain.language import DEFAULT_LANGUAGE, SWITCH_INTENT, Reason
from tools.store import Event

# bot.nlu.components' entity and component names, spelled out: importing it would load Rasa.
LANGUAGE_ENTITY = "language"
LANGUAGE_DETECTOR = "LanguageDetector"

# Responses that mean "the store has no such name"; their `name` is what was asked.
UNKNOWN_NAME_RESPONSES = frozenset(
    {"utter_deployments_unknown_mission", "utter_deployments_unknown_place", "utter_topics_unknown_organisation"}
)
FALLBACK_RESPONSE = "utter_fallback_rephrase"
NO_TOPIC_RESPONSE = "utter_topics_unknown"
# Said before an answer that gives what is nearest to the question, not what it asked
# (bot.domain.answers: LACKS, a kind of fact the source does not give; ONLY_NORWAY,
# another country's personnel, answered with Norway's).
NEARBY_RESPONSE_PREFIX = "utter_fact_lacks_"
ONLY_NORWAY_RESPONSE = "utter_deployments_only_norway"
RATING_INTENT = "rate_answer"
RATING_ENTITY = "rating"
RATINGS = ("up", "down")
NLU_FALLBACK = "nlu_fallback"
_QUIET_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


@dataclass
class Turn:
    """One message of a visitor, as understood and answered."""

    sender: str
    session: int
    timestamp: float
    text: str
    intent: str
    confidence: float
    # The best real intent when the NLU fell back: what it would have guessed.
    guess: Optional[str] = None
    # (entity, value, the words the visitor used for it)
    entities: list[tuple[str, str, str]] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE
    # Which signal chose the language (bot.domain.language.Reason): the page's
    # locale, a request, detection, or the conversation's, kept from before.
    language_how: str = Reason.CONVERSATION.value
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)
    rating: Optional[str] = None
    # The ratings visitors gave this answer afterwards (the report fills them in).
    ratings: Counter = field(default_factory=Counter)

    @property
    def answered(self) -> bool:
        return bool(self.facts)

    @property
    def nearby(self) -> bool:
        """Answered from the store, but with a nearby text: said first that it was not quite what was asked."""
        return self.answered and any(
            r.startswith(NEARBY_RESPONSE_PREFIX) or r == ONLY_NORWAY_RESPONSE for r in self.responses
        )


class TurnReader:
    """Feeds on one store's events, in order, and collects the turns; keeps per-sender state."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self._current: dict[str, Turn] = {}
        self._language: dict[str, str] = {}
        self._session: dict[str, int] = {}

    def feed(self, events: Iterable[Event]) -> list[Turn]:
        """The turns begun by these events (later events may still add to the last one)."""
        new: list[Turn] = []
        for event in events:
            turn = self._apply(event)
            if turn is not None:
                new.append(turn)
        return new

    def _apply(self, event: Event) -> Optional[Turn]:
        data, sender = event.data, event.sender
        if event.kind == "session_started":
            self._session[sender] = self._session.get(sender, 0) + 1
            self._current.pop(sender, None)
        elif event.kind == "restart":
            self._language.pop(sender, None)
            self._current.pop(sender, None)
        elif event.kind == "user":
            turn = self._user_turn(event)
            self._current[sender] = turn
            self.turns.append(turn)
            return turn
        elif event.kind == "slot":
            self._slot(sender, str(data.get("name")), data.get("value"))
        elif (turn := self._current.get(sender)) is not None:
            _add_reaction(turn, event)
        return None

    def _user_turn(self, event: Event) -> Turn:
        parse = event.data.get("parse_data") or {}
        intent = parse.get("intent") or {}
        entities = [e for e in parse.get("entities") or [] if isinstance(e, dict)]
        name = str(intent.get("name") or "")
        text = str(event.data.get("text") or "")
        return Turn(
            sender=event.sender,
            session=self._session.get(event.sender, 0),
            timestamp=event.timestamp,
            text=text,
            intent=name,
            confidence=float(intent.get("confidence") or 0.0),
            guess=_guess(parse) if name == NLU_FALLBACK else None,
            # The language and a rating have lines of their own.
            entities=[_entity(e, text) for e in entities if e.get("entity") not in (LANGUAGE_ENTITY, RATING_ENTITY)],
            language=self._language.get(event.sender, DEFAULT_LANGUAGE),
            language_how=_language_how(name, entities, text).value,
            rating=_rating(name, entities),
        )

    def _slot(self, sender: str, name: str, value: object) -> None:
        turn = self._current.get(sender)
        if name == "language" and isinstance(value, str):
            self._language[sender] = value
            if turn is not None:
                turn.language = value


def _add_reaction(turn: Turn, event: Event) -> None:
    data = event.data
    if event.kind == "action" and data.get("name") not in _QUIET_ACTIONS:
        turn.actions.append(str(data.get("name")))
    elif event.kind == "bot":
        metadata = data.get("metadata") or {}
        response = str(metadata.get("utter_action") or "")
        turn.responses.append(response)
        turn.facts.extend(str(metadata.get("fact_ids") or "").split())
        if response in UNKNOWN_NAME_RESPONSES and metadata.get("name"):
            # The name as the visitor wrote it: entity values may come lower-cased.
            name = str(metadata["name"])
            turn.unknown_names.append(next((said for _, value, said in turn.entities if value == name), name))


def _entity(entity: dict, text: str) -> tuple[str, str, str]:
    value = str(entity.get("value"))
    start, end = entity.get("start"), entity.get("end")
    # A button's payload ("/ask_deployments{...}") has no words for it.
    spanned = isinstance(start, int) and isinstance(end, int) and not text.startswith("/")
    said = text[start:end] if spanned else value
    return str(entity.get("entity")), value, said or value


def _rating(intent: str, entities: list[dict]) -> Optional[str]:
    """``up`` or ``down`` from a rating button's message; anything else a forged payload sends counts for nothing."""
    if intent != RATING_INTENT:
        return None
    return next((str(e["value"]) for e in entities if e.get("entity") == RATING_ENTITY and e.get("value") in RATINGS), None)


def _guess(parse: dict) -> Optional[str]:
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != NLU_FALLBACK]
    return str(ranking[0]["name"]) if ranking else None


def _language_how(intent: str, entities: list[dict], text: str) -> Reason:
    found = [e for e in entities if e.get("entity") == LANGUAGE_ENTITY]
    if not found:
        return Reason.CONVERSATION
    # Only the page's switch puts a language in a payload, from its locale (bot.channels.payloads).
    if text.startswith("/"):
        return Reason.LOCALE
    if intent == SWITCH_INTENT or found[0].get("extractor") != LANGUAGE_DETECTOR:
        return Reason.REQUESTED
    return Reason.DETECTED


def read_turns(events: Iterable[Event]) -> list[Turn]:
    reader = TurnReader()
    reader.feed(events)
    return reader.turns
