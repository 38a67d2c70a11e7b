"""The review in the terminal: one group of similar questions at a time, one choice each.

A number picks one of the model's top three intents, ``o`` out of scope, ``s``
skips, ``q`` (or Ctrl-D) stops; an intent's name picks that intent; and
``kind=words`` pairs correct the entities before the intent is chosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from tools.report.analysis import example_key
from tools.review.examples import CorrectionError, Entity, annotate, append, from_parse, parse_correction
from tools.review.items import Item, describe

OUT_OF_SCOPE = "out_of_scope"
NLU_FALLBACK = "nlu_fallback"
TOP = 3
KEYS = f"1-{TOP} that intent · o out of scope · s skip · q quit · an intent's name · kind=words fixes entities (- none)"

Parse = Callable[[str], Mapping[str, Any]]
Ask = Callable[[str], str]
Say = Callable[[str], None]


@dataclass
class Review:
    """What a review needs: the model's parser, where the files go, and what the domain declares."""

    parse: Parse
    data: Path
    intents: frozenset[str]
    kinds: Mapping[str, frozenset[str]]
    # example_key -> (intent, file) of the examples already in the training data or the held-out sets.
    known: Mapping[str, tuple[str, str]]
    ask: Ask = input
    say: Say = print
    counts: Counter = field(default_factory=Counter)


def top_intents(parsed: Mapping[str, Any]) -> list[tuple[str, float]]:
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != NLU_FALLBACK]
    return [(str(r["name"]), float(r.get("confidence") or 0.0)) for r in ranking[:TOP]]


def entity_text(entities: Sequence[Entity], text: str) -> str:
    if not entities:
        return "none"
    return "  ".join(f'{e.kind}{":" + e.role if e.role else ""} "{text[e.start:e.end]}"' for e in entities)


def run(review: Review, todo: Sequence[Item]) -> Counter:
    """Walks the items until they run out or staff stop; returns how many were labelled and skipped."""
    for number, item in enumerate(todo, 1):
        if not _one(review, item, f"[{number} of {len(todo)}]"):
            break
    return review.counts


def _one(review: Review, item: Item, position: str) -> bool:
    """Reviews one item; False when staff stop."""
    ranked = _show(review, item, position)
    entities: Optional[list[Entity]] = None  # None: each wording keeps what the model finds in it
    while True:
        try:
            answer = review.ask("review> ").strip()
        except EOFError:
            return False
        if answer == "q":
            return False
        if answer == "s":
            review.counts["skipped"] += 1
            return True
        intent = _intent(review, answer, ranked)
        if intent:
            _write(review, item, intent, entities)
            return True
        if "=" in answer or answer == "-":
            entities = _correct(review, answer, item.wordings[0].text, entities)
        elif answer:
            review.say(f"  not a choice: {answer!r} ({KEYS})")


def _show(review: Review, item: Item, position: str) -> list[tuple[str, float]]:
    """The group, its wordings, and the model's top intents and entities for the newest; returns the intents."""
    when = datetime.fromtimestamp(item.newest, timezone.utc)
    review.say(f"\n{position} {describe(item)} · asked {item.group.count}× · last {when:%Y-%m-%d %H:%M} UTC")
    for wording in item.wordings:
        already = review.known.get(example_key(wording.text))
        note = f"   (already an example of {already[0]}: the fact store may be what lacks it)" if already else ""
        review.say(f"  {wording.lang}  {wording.text}{note}")
    first = item.wordings[0].text
    parsed = review.parse(first)
    ranked = top_intents(parsed)
    review.say("  " + "   ".join(f"[{i}] {name} {confidence:.2f}" for i, (name, confidence) in enumerate(ranked, 1)))
    review.say(f"  entities: {entity_text(from_parse(parsed.get('entities') or [], first), first)}")
    review.say(f"  ({KEYS})")
    return ranked


def _intent(review: Review, answer: str, ranked: Sequence[tuple[str, float]]) -> Optional[str]:
    if answer.isdigit() and 1 <= int(answer) <= len(ranked):
        return ranked[int(answer) - 1][0]
    if answer == "o":
        return OUT_OF_SCOPE
    return answer if answer in review.intents else None


def _correct(review: Review, answer: str, text: str, current: Optional[list[Entity]]) -> Optional[list[Entity]]:
    try:
        corrected = parse_correction(answer, text, review.kinds)
    except CorrectionError as error:
        review.say(f"  {error}")
        return current
    review.say(f"  entities: {entity_text(corrected, text)} (now choose the intent)")
    return corrected


def _write(review: Review, item: Item, intent: str, corrected: Optional[list[Entity]]) -> None:
    """Each wording of the group as an example of ``intent``, unless the data or the held-out sets hold it."""
    written = 0
    for wording in item.wordings:
        already = review.known.get(example_key(wording.text))
        if already:
            review.say(f"  left out, already an example of {already[0]} in {already[1]}: {wording.text}")
            continue
        entities = _entities_for(review, wording.text, corrected, item.wordings[0].text)
        example = annotate(wording.text, entities)
        path = append(review.data, wording.lang, intent, example)
        review.say(f"  + {intent} in {path.parent.name}/{path.name}: {example}")
        written += 1
    review.counts["labelled" if written else "already examples"] += 1


def _entities_for(review: Review, text: str, corrected: Optional[list[Entity]], first: str) -> list[Entity]:
    """The model's entities in this wording, or the corrected ones found again in it.

    A correction is typed against the first wording; another wording that lacks
    some of its words gets the others.
    """
    if corrected is None:
        return from_parse(review.parse(text).get("entities") or [], text)
    found = []
    for entity in corrected:
        words = first[entity.start:entity.end]
        start = text.casefold().find(words.casefold())
        if start >= 0:
            found.append(Entity(entity.kind, start, start + len(words), entity.role))
    return found
