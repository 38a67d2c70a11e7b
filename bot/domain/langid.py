"""An in-domain language classifier: the NLU training data's words and character n-grams, English against Spanish.

lingua knows both languages in general but abstains on short text; this model
knows how visitors of this assistant write ("que es la red nwm", "otan",
"cuantos policias"). It is trained from ``data/nlu/en`` and ``data/nlu/es``
and the fact store's names of each language the first time it is needed
(about a second, no download), then kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.paths import NLU_DATA

TRAINING_DATA = NLU_DATA
# Below this the two languages are too close to call (measured on the held-out sets, `make eval`).
MIN_PROBABILITY = 0.8
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
    for lang in ("en", "es"):
        for _, text in sentences(folder / lang):
            texts.append(text)
            labels.append(lang)
    # The store's names of one language only ("Naciones Unidas", "OTAN"), not the shared "MINUSMA".
    names = {lang: {n for f in default_store() for n in (f.name[lang], *f.aliases.get(lang, ()))} for lang in ("en", "es")}
    shared = {fold(n) for n in names["en"]} & {fold(n) for n in names["es"]}
    for lang, own in names.items():
        for name in sorted(own):
            if fold(name) not in shared:
                texts.append(name)
                labels.append(lang)
    return texts, labels


@lru_cache(maxsize=2)
def _model(folder: Path = TRAINING_DATA) -> tuple[Any, frozenset[str]]:
    """The classifier, and the words visitors of both languages use ("ok", "bye", "minusma")."""
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
    vocabulary = {lang: set() for lang in ("en", "es")}
    for text, lang in zip(texts, labels):
        vocabulary[lang] |= _words(text)
    return model.fit(texts, labels), frozenset(vocabulary["en"] & vocabulary["es"])


def classify(text: str, folder: Path = TRAINING_DATA) -> Optional[str]:
    """``en`` or ``es`` when the in-domain model is sure enough, else ``None``."""
    model, shared = _model(folder)
    words = _words(text)
    if not words or words <= shared:
        # Only words both languages' visitors use ("ok", "bye"): nothing to go on.
        return None
    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    return str(model.classes_[best]) if probabilities[best] >= MIN_PROBABILITY else None


def preload() -> None:
    """Train now, so the first visitor does not wait for it."""
    _model()
