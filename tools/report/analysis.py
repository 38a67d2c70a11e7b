"""What visitors asked: volumes, the share answered, what went unanswered, and the ratings."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional

from bot.domain.text import fold
from tools.turns import FALLBACK_RESPONSE, NLU_FALLBACK, NO_TOPIC_RESPONSE, RATING_INTENT, Turn

# Messages that are not questions: greetings, thanks, switching language, ratings.
NOT_QUESTIONS = frozenset({"greet", "goodbye", "thank", "switch_language", "ask_bot", "ask_help", RATING_INTENT})
# Answered, but with less confidence than this: worth a look and maybe more training examples.
LOW_CONFIDENCE = 0.5
# `make run` and the tests greet each Rasa server under these sender ids (bot/runtime/launcher.py).
SYSTEM_SENDERS = ("warmup-",)
# Questions sharing at least this share of their words are listed as one.
SIMILARITY = 0.5
_WORD = re.compile(r"[^\W\d_]{3,}|\d+", re.UNICODE)
# Words too common to tell questions apart, folded.
_STOP = frozenset(
    "the and are there what how many much does about with for you can tell from that this who which "
    "los las del con por para una uno hay como cuantos cuantas cuanto que sobre esta este son".split()
)

CATEGORIES = {
    "fallback": "Not understood (fallback)",
    "out_of_scope": "Out of scope",
    "unknown_name": "Names the store lacks",
    "low_confidence": "Answered with low confidence",
    "nearby": "Answered with a nearby text",
}
# Categories that are answers all the same, only not good ones.
WEAK_ANSWERS = ("low_confidence", "nearby")
# How each question went: answered, answered only weakly (counted apart), or not.
ANSWERED = "answered"
NOT_ANSWERED = "not_answered"
OUTCOMES = {
    ANSWERED: "Answered",
    **{name: CATEGORIES[name] for name in WEAK_ANSWERS},
    NOT_ANSWERED: "Not answered",
}


@dataclass
class Group:
    """Similar questions, listed under the most frequent wording."""

    words: frozenset[str]
    texts: Counter = field(default_factory=Counter)
    turns: list[Turn] = field(default_factory=list)
    # Wordings staff have labelled with `make review`, and the intent they chose.
    reviewed: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def newest(self) -> float:
        return max(t.timestamp for t in self.turns)

    @property
    def ratings(self) -> Counter:
        return sum((t.ratings for t in self.turns), Counter())

    @property
    def label(self) -> str:
        return self.texts.most_common(1)[0][0]

    @property
    def variants(self) -> list[str]:
        return [text for text, _ in self.texts.most_common()[1:]]


@dataclass
class RatedAnswer:
    rating: str
    question: str
    facts: list[str]
    language: str
    timestamp: float


@dataclass
class Report:
    since: Optional[float]
    turns: list[Turn]
    first: Optional[float] = None
    last: Optional[float] = None
    conversations: int = 0
    messages: int = 0
    questions: int = 0
    # Answered well: from the store, confidently, and what was asked.
    answered: int = 0
    # Questions per outcome (OUTCOMES), and the ratings their answers got.
    outcomes: Counter = field(default_factory=Counter)
    ratings_per_outcome: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # day -> language -> count
    messages_per_day: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    conversations_per_day: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # language -> questions, answered
    questions_per_language: Counter = field(default_factory=Counter)
    answered_per_language: Counter = field(default_factory=Counter)
    unanswered: dict[str, list[Group]] = field(default_factory=dict)
    unknown_names: Counter = field(default_factory=Counter)
    ratings: Counter = field(default_factory=Counter)
    ratings_per_fact: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rated: list[RatedAnswer] = field(default_factory=list)

    @property
    def share_answered(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    @property
    def down_rated(self) -> list[RatedAnswer]:
        return [r for r in self.rated if r.rating == "down"]


def day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


def category(turn: Turn, low_confidence: float = LOW_CONFIDENCE) -> Optional[str]:
    """Why a question went unanswered (or answered on thin ice); None when it was answered well."""
    if turn.intent == NLU_FALLBACK or FALLBACK_RESPONSE in turn.responses:
        return "fallback"
    if turn.intent == "out_of_scope":
        return "out_of_scope"
    if turn.unknown_names or NO_TOPIC_RESPONSE in turn.responses:
        return "unknown_name"
    if not turn.answered:
        return "fallback"
    if turn.confidence < low_confidence:
        return "low_confidence"
    if turn.nearby:
        return "nearby"
    return None


def outcome(turn: Turn, low_confidence: float = LOW_CONFIDENCE) -> str:
    """Answered, answered only weakly (low confidence, a nearby text), or not answered."""
    reason = category(turn, low_confidence)
    if reason is None:
        return ANSWERED
    return reason if reason in WEAK_ANSWERS else NOT_ANSWERED


def example_key(text: str) -> str:
    """A question as written, compared with the examples staff labelled: case, spacing and brackets aside."""
    return " ".join(text.replace("[", " ").replace("]", " ").split()).casefold()


def is_question(turn: Turn) -> bool:
    return turn.intent not in NOT_QUESTIONS


def build(
    turns: Iterable[Turn],
    since: Optional[float] = None,
    low_confidence: float = LOW_CONFIDENCE,
    reviewed: Mapping[tuple[str, str], str] = {},
) -> Report:
    """The report on these turns; ``reviewed`` maps (language, example_key) to the intent staff chose."""
    visitors = [t for t in turns if not t.sender.startswith(SYSTEM_SENDERS)]
    report = Report(since=since, turns=visitors)
    if not visitors:
        return report
    report.first, report.last = min(t.timestamp for t in visitors), max(t.timestamp for t in visitors)
    _count_volume(report, visitors)
    unanswered: dict[str, list[Turn]] = defaultdict(list)
    # "Francia" and "francia" are one name, shown as most often written.
    spellings: dict[str, Counter] = defaultdict(Counter)
    for turn in visitors:
        if not is_question(turn):
            continue
        report.questions += 1
        report.questions_per_language[turn.language] += 1
        report.outcomes[outcome(turn, low_confidence)] += 1
        reason = category(turn, low_confidence)
        if reason is None:
            report.answered += 1
            report.answered_per_language[turn.language] += 1
        if reason:
            unanswered[reason].append(turn)
        for name in turn.unknown_names:
            spellings[fold(name)][name] += 1
    report.unknown_names = Counter({c.most_common(1)[0][0]: sum(c.values()) for c in spellings.values()})
    report.unanswered = {name: group(unanswered[name]) for name in CATEGORIES if unanswered.get(name)}
    _count_ratings(report, visitors, low_confidence)
    _mark_reviewed(report, reviewed)
    return report


def _mark_reviewed(report: Report, reviewed: Mapping[tuple[str, str], str]) -> None:
    for groups in report.unanswered.values():
        for found in groups:
            for turn in found.turns:
                intent = reviewed.get((turn.language, example_key(turn.text)))
                if intent:
                    found.reviewed[" ".join(turn.text.split())] = intent


def _count_volume(report: Report, turns: list[Turn]) -> None:
    started: dict[tuple[str, int], Turn] = {}
    for turn in turns:
        report.messages += 1
        report.messages_per_day[day(turn.timestamp)][turn.language] += 1
        started.setdefault((turn.sender, turn.session), turn)
    report.conversations = len(started)
    for first in started.values():
        report.conversations_per_day[day(first.timestamp)][first.language] += 1


def _count_ratings(report: Report, turns: list[Turn], low_confidence: float) -> None:
    """Each rating goes to the latest answer before it in the same conversation."""
    for turn in turns:
        turn.ratings.clear()  # the same turns may be counted again, for another period
    latest: dict[tuple[str, int], Turn] = {}
    for turn in turns:
        key = (turn.sender, turn.session)
        if turn.answered:
            latest[key] = turn
        if turn.rating is None or key not in latest:
            continue
        answer = latest[key]
        answer.ratings[turn.rating] += 1
        report.ratings[turn.rating] += 1
        report.ratings_per_outcome[outcome(answer, low_confidence)][turn.rating] += 1
        for fact in dict.fromkeys(answer.facts):
            report.ratings_per_fact[fact][turn.rating] += 1
        report.rated.append(RatedAnswer(turn.rating, answer.text, list(dict.fromkeys(answer.facts)),
                                        answer.language, turn.timestamp))


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(fold(text)) if w not in _STOP)


def group(turns: Iterable[Turn]) -> list[Group]:
    """Similar questions together (shared words), the largest groups first."""
    groups: list[Group] = []
    for turn in turns:
        text = " ".join(turn.text.split())
        found = words(text)
        match = next((g for g in groups if _similar(g.words, found)), None)
        if match is None:
            match = Group(found)
            groups.append(match)
        match.texts[text] += 1
        match.turns.append(turn)
    return sorted(groups, key=lambda g: (-g.count, g.label))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= SIMILARITY
