"""Several questions in one message: the clauses after the first, each with the topic it asks about.

"How many soldiers does Norway have in UN missions and what does NATO mean to
Norway?" gets one intent from the NLU, the first question's. The message is
cut where a second question starts (after a "?", or at "and"/"y"/"og" followed
by a question word; each language's words are in the registry, ``bot/languages.yml``), and each later clause is read by an in-domain intent model
(word and character n-grams and a logistic regression, trained on
``data/nlu`` in the background once the action server has started, about
three seconds, as the language model of ``bot.domain.langid`` is) and the
store's names it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from bot.domain.langid import sentences
from bot.domain.languages import LANGUAGES, either
from bot.domain.store import ENTITY_KINDS, FactStore
from bot.domain.text import fold
from bot.paths import NLU_DATA

# Below this the clause's topic is a guess, and a guessed answer is worse than none.
MIN_PROBABILITY = 0.5


_JOINERS = either("joiners")
# A sentence's end, or "and", "also", "plus" ("y", "además"; "og") before a question word.
_CUT = re.compile(
    rf"[?.!]\s+(?=\S)|[,;]?\s+(?:{_JOINERS})\s+(?:(?:{_JOINERS})\s+)?(?=(?:{either('question_words')})\b)"
)
# Names are matched on up to this many words at a time ("Democratic Republic of the Congo").
_LONGEST_NAME = 6


@dataclass(frozen=True)
class Clause:
    """A later question of a message: the intent the in-domain model gives it, and the store's names in it."""

    text: str
    intent: str
    entities: dict[str, list[str]] = field(default_factory=dict)


def later_clauses(text: str, store: FactStore, folder: Path = NLU_DATA) -> list[Clause]:
    """The questions after the first in ``text``, each with a confident intent; none when there is one question."""
    parts = [part for part in _CUT.split(fold(text)) if part.strip(" ?¿!¡.,")]
    clauses = []
    for part in parts[1:]:
        intent = _intent(part, folder)
        if intent is not None:
            clauses.append(Clause(part, intent, names_in(part, store)))
    return clauses


def names_in(text: str, store: FactStore) -> dict[str, list[str]]:
    """The store records ``text`` names, by kind, as entity values (their ids); longest names first."""
    words = re.findall(r"[\w-]+", fold(text))
    found: dict[str, list[str]] = {}
    taken: set[int] = set()
    for size in range(min(_LONGEST_NAME, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = set(range(start, start + size))
            if span & taken:
                continue
            for kind in ENTITY_KINDS:
                fact = store.resolve(kind, " ".join(words[start:start + size]))
                if fact is not None and fact.id not in found.get(kind, []):
                    found.setdefault(kind, []).append(fact.id)
                    taken |= span
                    break
    return found


def preload() -> None:
    """Trains the clause model now, so that no visitor's first two-question message waits for it."""
    _model()


def _intent(text: str, folder: Path) -> Optional[str]:
    model = _model(folder)
    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    return str(model.classes_[best]) if probabilities[best] >= MIN_PROBABILITY else None


@lru_cache(maxsize=2)
def _model(folder: Path = NLU_DATA) -> Any:
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

