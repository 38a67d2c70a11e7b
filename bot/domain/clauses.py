"""Several questions in one message: every clause of it, each with the topic it asks about and the names it holds.

"How many soldiers does Norway have in UN missions and what does NATO mean to
Norway?" gets one intent from the NLU, the whole message's. The message is cut
where a second question starts (after a "?" or ":", at a "¿", a dash or a "+", or at "and"/"y"/"og"
followed by a question word, by a word that names what is asked about, or by a
verb and its subject, as a Norwegian yes/no question starts; each language's
words are in the registry, ``bot/languages.yml``), and each clause is read on
its own: by an in-domain intent model (word and character n-grams and a
logistic regression, trained on ``data/nlu`` in the background once the action
server has started, about three seconds, as the language model of
``bot.domain.langid`` is), with the NLU's entities that lie in it and the
store's names it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from bot.domain import asks, trained
from bot.domain.langid import sentences
from bot.domain.languages import LANGUAGES, either, registry
from bot.domain.store import ENTITY_KINDS, FactStore
from bot.domain.text import fold
from bot.paths import NLU_DATA

# Below this the clause's topic is a guess, and a guessed answer is worse than none.
MIN_PROBABILITY = 0.5
# ... unless it leads the next reading this many times over from at least LEADING_PROBABILITY: "does it use aid
# money to tackle security problems?" after another question is the aid programme's at 0.45, the next at 0.19.
LEADING_PROBABILITY = 0.4
LEAD = 2.0
# A message's clauses read at most: each costs the clause model and a scan of the store's names, and a
# 1,000-character message of "what is NATO?" over and over cost the action server about 2 s to read whole.
MAX_CLAUSES = 4

_JOINERS = either("joiners")
# What may follow a joiner where a new question starts: a question word ("and what ...", "y con qué ..."), a word
# naming what is asked about ("and about the talks"), or a verb and its subject ("og bruker Norge ...").
_STARTS = (
    rf"(?:(?:{either('prepositions')})\s+)?(?:{either('question_words')})\b|(?:{either('topic_words')})\b"
    rf"|\w+\s+(?:{either('subjects')})\b"
)
# A sentence's end or a colon, an opening "¿", a dash, "+" or "&" between questions, or a joiner ("and",
# "also"; "y", "además"; "og"), or two set off by commas ("y, asimismo,"), before a start.
_CUT = re.compile(
    rf"[?.!:]\s+(?=\S)|\s+(?=¿)|\s+[-–—+&]\s+|[,;]?\s+(?:{_JOINERS})(?:[,;]?\s+(?:{_JOINERS}))?[,;]?\s+(?={_STARTS})"
)
# A sign that a clause asks something: a question mark or a question word.
_ASKS = re.compile(rf"[?¿]|\b(?:{either('question_words')})\b")
# Names are matched on up to this many words at a time ("Democratic Republic of the Congo").
_LONGEST_NAME = 6
# Kinds of record named in a clause by the store's names alone: the NLU has no entity for them.
_NAMED_BY_STORE = ("process",)

Entities = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Clause:
    """One question of a message: its text, the intent the in-domain model is sure of, and the names in it."""

    text: str
    intent: Optional[str]
    entities: dict[str, list[str]] = field(default_factory=dict)

    def asks(self) -> bool:
        """Whether the clause reads as a question: a question mark or a question word."""
        return bool(_ASKS.search(fold(self.text)))


def split(text: str) -> list[tuple[int, int]]:
    """Where each clause of ``text`` starts and ends: one span for one question."""
    shadow = _shadow(text)
    spans, start = [], 0
    for cut in _CUT.finditer(shadow):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip(" ?¿!¡.,:;")]


def read(
    text: str, store: FactStore, found: Optional[Sequence[Mapping[str, Any]]] = None, folder: Path = NLU_DATA
) -> list[Clause]:
    """Every clause of ``text``, in order, each with its intent (if sure) and its names.

    ``found`` are the NLU's entities of the whole message: each goes to the
    clause it lies in (the CRF knows when a name is no entity, as the Spanish
    article "un" is not the UN). Without them (or their offsets), the store's
    names in a clause stand for them.
    """
    spans = split(text)
    clauses = []
    for index, (start, end) in enumerate(spans[:MAX_CLAUSES]):
        part = text[start:end]
        if found is None or (found and not any(isinstance(e.get("start"), int) for e in found)):
            entities = names_in(part, store)
        else:
            entities = group([_known(e, text, store) for e in found if _owner(e, spans) == index])
        entities.update(names_in(part, store, _NAMED_BY_STORE))
        clauses.append(Clause(part, _intent(fold(part), folder), entities))
    return clauses


def later_clauses(text: str, store: FactStore, folder: Path = NLU_DATA) -> list[Clause]:
    """The questions after the first in ``text`` that have a confident intent; none when there is one question."""
    return [clause for clause in read(text, store, folder=folder)[1:] if clause.intent is not None]


def entities(text: str, store: FactStore, found: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The NLU's entities of a whole message, grouped, and the peace processes the store's names in it stand for.

    The NLU has no entity for a peace process: "the secret talks", "las
    conversaciones discretas" or "de hemmelige samtalene" are read by the store's names.
    """
    return {**group(found), **names_in(text, store, _NAMED_BY_STORE)}


def group(found: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Entity values grouped by type, or by "type:role" when one has a role ("place:sender")."""
    grouped: dict[str, list[str]] = {}
    for entity in found:
        key = f"{entity['entity']}:{entity['role']}" if entity.get("role") else str(entity["entity"])
        grouped.setdefault(key, []).append(str(entity.get("value", "")))
    return grouped


def _known(entity: Mapping[str, Any], text: str, store: FactStore) -> Mapping[str, Any]:
    """The entity, or, when the store does not know its value, the store's name of its kind within it.

    The CRF may tag more than a name ("sivile rådgiverne" for "sivile"); a value
    the store knows nothing of (another country) stays as it is.
    """
    kind, start, end = str(entity.get("entity")), entity.get("start"), entity.get("end")
    if kind not in ENTITY_KINDS or store.resolve(kind, str(entity.get("value", ""))) or not isinstance(start, int):
        return entity
    within = names_in(text[start:end], store, (kind,)).get(kind)
    return {**entity, "value": within[0]} if within else entity


def _owner(entity: Mapping[str, Any], spans: list[tuple[int, int]]) -> int:
    """The index of the clause an entity lies in; the first for one without an offset."""
    start = entity.get("start")
    if isinstance(start, int):
        return next((i for i, (s, e) in enumerate(spans) if s <= start < e), 0)
    return 0


def names_in(text: str, store: FactStore, kinds: Sequence[str] = ENTITY_KINDS) -> dict[str, list[str]]:
    """The store records of ``kinds`` that ``text`` names, by kind, as entity values (their ids); longest names first."""
    words = re.findall(r"[\w-]+", fold(text))
    found: dict[str, list[str]] = {}
    taken: set[int] = set()
    for size in range(min(_LONGEST_NAME, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = set(range(start, start + size))
            if span & taken:
                continue
            for kind in kinds:
                fact = store.resolve(kind, " ".join(words[start:start + size]))
                # "Did the talks end in a peace agreement?" names no agreement in particular, not the FARC one.
                # Read only for a name found: the words before every span of a long message cost seconds.
                if fact is not None and kind == "process" and asks.indefinite(" ".join(words[:start])):
                    continue
                if fact is not None and fact.id not in found.get(kind, []):
                    found.setdefault(kind, []).append(fact.id)
                    taken |= span
                    break
    for kind in kinds:
        for fact_id in described(text, kind):
            if store.find(fact_id) is not None and fact_id not in found.get(kind, []):
                found.setdefault(kind, []).append(fact_id)
    return found


def described(text: str, kind: str) -> list[str]:
    """The ids of the records of ``kind`` that ``text`` describes without naming them, by the registry's words.

    "Talks between sides that were not yet negotiating" are the discreet talks, whatever they are called.
    """
    folded = fold(text)
    return [fact_id for fact_id, pattern in _descriptions(kind).items() if pattern.search(folded)]


@lru_cache(maxsize=None)
def _descriptions(kind: str) -> dict[str, re.Pattern[str]]:
    """Each described record's words over every language, as one regular expression (``reading.describes.<kind>``)."""
    words: dict[str, list[str]] = {}
    for entry in registry():
        for fact_id, alternatives in ((entry.reading.get("describes") or {}).get(kind) or {}).items():
            words.setdefault(str(fact_id), []).extend(str(a) for a in alternatives)
    return {fact_id: re.compile(rf"\b(?:{'|'.join(found)})\b") for fact_id, found in words.items() if found}


def preload() -> None:
    """Trains the clause model now, so that no visitor's first two-question message waits for it."""
    # As its readers call it: lru_cache keys `_model()` and `_model(NLU_DATA)` apart, and would train twice.
    _model(NLU_DATA)


def _shadow(text: str) -> str:
    """``text`` folded letter by letter, the same length, so that a cut found in it cuts ``text`` at the same place."""
    return "".join(" " if c.isspace() else (fold(c) or c)[0] for c in text)


def intents(text: str, folder: Path = NLU_DATA) -> dict[str, float]:
    """The in-domain model's probability of each intent for ``text``: a second reading beside the NLU's."""
    model = _model(folder)
    return {str(intent): float(p) for intent, p in zip(model.classes_, model.predict_proba([fold(text)])[0])}


def _intent(text: str, folder: Path) -> Optional[str]:
    model = _model(folder)
    probabilities = model.predict_proba([text])[0]
    first, second = sorted(probabilities, reverse=True)[:2]
    leads = first >= LEADING_PROBABILITY and first >= LEAD * second
    return str(model.classes_[int(probabilities.argmax())]) if first >= MIN_PROBABILITY or leads else None


@lru_cache(maxsize=2)
def _model(folder: Path = NLU_DATA) -> Any:
    # A test's own training folder is fitted, not kept: only the project's data has a model in models/.
    return trained.load_or_fit("clauses", lambda: _fit(folder)) if folder == NLU_DATA else _fit(folder)


def _fit(folder: Path) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    examples = [(intent, fold(text)) for lang in LANGUAGES for intent, text in sentences(folder / lang)]
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", sublinear_tf=True),
        ),
        LogisticRegression(C=10, max_iter=2000),
    )
    return model.fit([text for _, text in examples], [intent for intent, _ in examples])
