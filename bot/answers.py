"""Turning a question (intent, entities, what was just discussed) into replies.

A :class:`Reply` names a domain response and fills its variables; all wording
lives in the domain or in the fact store, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from bot.language import Lang
from bot.store import Fact, FactStore

Entities = Mapping[str, Sequence[str]]

ANSWER = "utter_fact_answer"
UNKNOWN = {
    "mission": "utter_deployments_unknown_mission",
    "place": "utter_deployments_unknown_place",
    "organisation": "utter_topics_unknown_organisation",
}
NO_TOPIC = "utter_topics_unknown"
# 👍/👎 after an answer from the store.
RATING = "utter_rating_ask"
# Quick replies after an answer: what else the visitor can ask next.
SUGGESTIONS = {"deployments": "utter_deployments_suggestions", "topics": "utter_topics_suggestions"}
# Kinds whose records a deployment follow-up ("which missions are those?") can build on.
_DEPLOYMENT_FOCUS = ("mission", "place", "personnel")


@dataclass(frozen=True)
class Reply:
    """One bot message: a domain response name and the values for its variables."""

    response: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """The replies to one question, and the record it leaves in focus for follow-ups."""

    replies: tuple[Reply, ...]
    focus: Optional[str] = None


def render(store: FactStore, facts: Sequence[Fact], lang: Lang) -> list[Reply]:
    """One answer message per source, naming the source and its date.

    What has happened since to anything these facts speak of follows, each
    update under its own source, so a 2019 figure never reads as today's.
    """
    facts = list(facts) + store.updates_for(facts)
    by_source: dict[str, list[Fact]] = {}
    for fact in {f.id: f for f in facts}.values():
        by_source.setdefault(fact.source.id if fact.source else "", []).append(fact)
    replies = []
    for group in by_source.values():
        source = group[0].source
        assert source is not None, "the store guarantees every answerable record a source"
        replies.append(
            Reply(
                ANSWER,
                {
                    "answer": "\n\n".join(f.text[lang] for f in group if f.text),
                    "source": source.name[lang],
                    "url": source.url,
                    "date": source.date[lang],
                    # Not in the wording: Rasa keeps it in the message's metadata, for staff tools.
                    "fact_ids": " ".join(f.id for f in group),
                },
            )
        )
    return replies


def _known(store: FactStore, kind: str, lang: Lang) -> str:
    # "Congo" stands for the DRC's record (`see`): listing it too would offer one place twice.
    return ", ".join(
        f.name[lang] for f in store.of_kind(kind) if not any(store.get(ref).kind == kind for ref in f.see)
    )


def _unknown(store: FactStore, kind: str, value: str, lang: Lang) -> Reply:
    return Reply(UNKNOWN[kind], {"name": value, "known": _known(store, kind, lang)})


def _resolve(
    store: FactStore, kind: str, entities: Entities, lang: Lang
) -> tuple[list[Fact], list[Reply]]:
    """Records named by the entities of ``kind``, and replies for names the store lacks."""
    found, missing = [], []
    for value in entities.get(kind, ()):
        fact = store.resolve(kind, value)
        if fact is None:
            missing.append(_unknown(store, kind, value, lang))
        else:
            found.append(fact)
    return found, missing


def _answer(store: FactStore, named: Sequence[Fact], lang: Lang, extra: Sequence[Reply] = ()) -> Answer:
    facts = [answer for fact in named for answer in store.answers_for(fact)]
    return Answer(tuple(extra) + tuple(render(store, facts, lang)), focus=named[-1].id if named else None)


def _suggesting(answer: Answer, feature: str) -> Answer:
    """The answer, a rating prompt if it holds facts from the store, then what else to ask."""
    rating = (Reply(RATING),) if any(r.response == ANSWER for r in answer.replies) else ()
    return Answer(answer.replies + rating + (Reply(SUGGESTIONS[feature]),), answer.focus)


def answer_deployments(store: FactStore, entities: Entities, focus: Optional[str], lang: Lang) -> Answer:
    """Norwegian personnel in UN missions, by mission, place or kind, then what else to ask."""
    return _suggesting(_deployments(store, entities, focus, lang), "deployments")


def _deployments(store: FactStore, entities: Entities, focus: Optional[str], lang: Lang) -> Answer:
    named: list[Fact] = []
    missing: list[Reply] = []
    for kind in ("mission", "place", "personnel"):
        found, unknown = _resolve(store, kind, entities, lang)
        named += found
        missing += unknown
    if missing:
        # "Soldiers in Lebanon?": Norway's figures elsewhere would read as Lebanon's.
        return Answer(tuple(missing))
    if named:
        return _answer(store, named, lang)
    return _follow_up(store, focus, lang)


def _follow_up(store: FactStore, focus: Optional[str], lang: Lang) -> Answer:
    """A question with no names ("which missions are those?") builds on the focus."""
    current = store.find(focus) if focus else None
    if current is None or current.kind not in _DEPLOYMENT_FOCUS:
        overview = store.topic_for_intent("ask_deployments")
        assert overview is not None, "the store must hold the deployments overview"
        return Answer(tuple(render(store, [overview], lang)), focus=overview.id)
    if current.kind == "personnel":
        missions = store.missions_with(current.id)
        return Answer(tuple(render(store, missions or [current], lang)), focus=current.id)
    return _answer(store, [current], lang)


def answer_topic(store: FactStore, intent: str, entities: Entities, lang: Lang) -> Answer:
    """A policy topic, narrowed to an organisation or place when one is named, then more topics."""
    return _suggesting(_topic(store, intent, entities, lang), "topics")


def _topic(store: FactStore, intent: str, entities: Entities, lang: Lang) -> Answer:
    organisations, missing = _resolve(store, "organisation", entities, lang)
    if organisations:
        return _answer(store, organisations, lang, missing)
    if intent == "ask_peace":
        places, _ = _resolve(store, "place", entities, lang)
        processes = [f for p in places for f in store.answers_for(p) if f.kind == "process"]
        if processes:
            return Answer(tuple(render(store, processes, lang)), focus=processes[-1].id)
    topic = store.topic_for_intent(intent)
    if topic is None:
        return Answer((Reply(NO_TOPIC),))
    return _answer(store, [topic], lang, missing)
