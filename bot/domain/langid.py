"""An in-domain language classifier: the NLU training data's words and character n-grams, one class a language.

lingua knows the languages in general but abstains on short text; this model
knows how visitors of this assistant write ("que es la red nwm", "otan",
"cuantos policias", "hvor mange soldater i fn"). It is trained from
``data/nlu/<code>`` of every registry language and the fact store's names of
each the first time it is needed (a few seconds, no download), then kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.domain import trained
from bot.domain.languages import LANGUAGES
from bot.paths import NLU_DATA

TRAINING_DATA = NLU_DATA
# Below this the languages are too close to call. Chosen by 5-fold cross-validation on
# the training data with three languages: at 0.7, 1.05% wrong and 3.8% undecided; at 0.8,
# 0.87% wrong but 5.7% undecided (the held-out sets only report it, `make eval`).
MIN_PROBABILITY = 0.7
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")
_WORD = re.compile(r"[^\W\d_]+")


def sentences(folder: Path) -> list[tuple[str, str]]:
    """(intent, plain text) of every example in a folder of Rasa NLU files, annotations removed."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in item:
                continue
            for line in item.get("examples", "").splitlines():
                if line.startswith("- "):
                    found.append((item["intent"], _ANNOTATION.sub(r"\1", line[2:]).strip()))
    return found


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def _examples(folder: Path) -> tuple[list[str], list[str]]:
    from bot.domain.store import default_store
    from bot.domain.text import fold

    texts, labels = [], []
    for lang in LANGUAGES:
        for _, text in sentences(folder / lang):
            texts.append(text)
            labels.append(lang)
    # The store's names of one language only ("Naciones Unidas", "OTAN"), not the shared "MINUSMA".
    names = {lang: {n for f in default_store() for n in (f.name[lang], *f.aliases.get(lang, ()))} for lang in LANGUAGES}
    shared = _in_several({lang: {fold(n) for n in own} for lang, own in names.items()})
    for lang, own in names.items():
        for name in sorted(own):
            if fold(name) not in shared:
                texts.append(name)
                labels.append(lang)
    return texts, labels


def _in_several(sets: dict[str, set[str]]) -> frozenset[str]:
    """What more than one of ``sets`` holds."""
    seen: set[str] = set()
    several: set[str] = set()
    for items in sets.values():
        several |= seen & items
        seen |= items
    return frozenset(several)


@lru_cache(maxsize=2)
def _model(folder: Path = TRAINING_DATA) -> tuple[Any, frozenset[str]]:
    """The classifier, and the words visitors of several languages use ("ok", "bye", "minusma")."""
    # A test's own training folder is fitted, not kept: only the project's data has a model in models/.
    return trained.load_or_fit("langid", lambda: _fit(folder)) if folder == TRAINING_DATA else _fit(folder)


def _fit(folder: Path) -> tuple[Any, frozenset[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    texts, labels = _examples(folder)
    model = make_pipeline(
        make_union(
            # Word-bounded 1-4-grams: "¿", "ñ", "ción", " qu" say Spanish; "th", "ow ", "wh" English.
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", token_pattern=_WORD.pattern, sublinear_tf=True),
        ),
        LogisticRegression(C=30, max_iter=2000),
    )
    vocabulary: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for text, lang in zip(texts, labels):
        vocabulary[lang] |= _words(text)
    return model.fit(texts, labels), _in_several(vocabulary)


def classify(text: str, folder: Path = TRAINING_DATA) -> Optional[str]:
    """The language the in-domain model is sure enough of, else ``None``."""
    model, shared = _model(folder)
    words = _words(text)
    if not words or words <= shared:
        # Only words several languages' visitors use ("ok", "bye"): nothing to go on.
        return None
    found = _sure(model, text)
    if found is None and words & shared:
        # A name every language's visitors write ("farc", "haiti") leans to the language whose data
        # holds it most often: the rest of a short text tells more ("paz farc", "haiti onu").
        found = _sure(model, " ".join(w for w in _WORD.findall(text) if w.lower() not in shared))
    return found


def _sure(model: Any, text: str) -> Optional[str]:
    """The language the model gives ``text`` at least MIN_PROBABILITY, else ``None``."""
    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    return str(model.classes_[best]) if probabilities[best] >= MIN_PROBABILITY else None


def preload() -> None:
    """Train now, so the first visitor does not wait for it."""
    # As its readers call it: lru_cache keys `_model()` and `_model(TRAINING_DATA)` apart, and would train twice.
    _model(TRAINING_DATA)
