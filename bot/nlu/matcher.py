"""spaCy beside the CRF: every name and alias of the fact store, found by a PhraseMatcher.

The matcher is built from the store each time the model is loaded, so an alias
added to ``bot/facts`` is recognised at the next start, without retraining.
Matching runs on accent-folded, lower-case tokens ("haiti" finds "Haití",
"SUDAN DEL SUR" finds "Sudán del Sur").

It never overrides the CRF, which knows when a name its training sentences
use is not an entity ("misiones de la onu", the Spanish article "un"). It
adds what only it can know:

- a name added to the store after training, or one no training sentence
  uses ("mideast", "sor sudan": the CRF learnt it from the lookups alone,
  so its silence says nothing), wherever the CRF tagged nothing;
- a name the CRF cut in two ("[Reino] [Unido]" becomes "Reino Unido", with
  the role either part had), including other countries' names, and a store
  name it cut into pieces of other kinds ("[FN-operasjonen] i [Colombia]" is
  the mission, not a mission and a place);
- a store name typed with one slip ("polce officers", "polisias"): a word of
  five letters or more that is no word of the training data, one edit (a
  letter left out, added or changed, or two neighbours swapped) from one
  word of the store's names alone, inside the word: its first and last
  letters stay, since words differ at their ends by inflection or meaning
  ("troop", "policy", "styrket", the Danish "politik");
- the store's record for a name the CRF tagged without knowing it: a
  compound on a store name ("[ELN-forhandlingene]" is the ELN), or an alias
  added since training.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List, Optional, Text

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot.domain.countries import names as country_names
from bot.domain.store import ENTITY_KINDS, FactStore, default_store, match_key
from bot.domain.text import fold

# Marks a match of another country's name, which only mends the CRF's entities.
COUNTRY = "country:"
# Tagged without its article, as the training data tags names ("la [OTAN]").
_ARTICLES = ("the ", "la ", "el ", "las ", "los ")
_TRAINED_NAMES = "trained_names.json"
_TRAINED_WORDS = "trained_words.json"
# Shorter words are too close to too many others ("mali", "male") to read a slip in.
_SLIP_MIN_LETTERS = 5


def _norms(name: str) -> set[str]:
    """Folded forms of a name: "FARC-EP" with and without its hyphen, "U.N." as "un"."""
    forms = set()
    for form in (fold(name).replace(".", ""), match_key(name)):
        for article in _ARTICLES:
            form = form[len(article):] if form.startswith(article) else form
        forms.add(form)
    return {form for form in forms if form}


def store_norms(store: FactStore) -> set[str]:
    """The folded form of every name and alias of the store's entity records."""
    return {norm for kind in ENTITY_KINDS for fact in store.of_kind(kind) for n in fact.all_names() for norm in _norms(n)}


class StoreNames:
    """A PhraseMatcher over the folded names of the store's entity records, and of other countries."""

    def __init__(self, store: FactStore, trained: Iterable[str] = (), words: Iterable[str] = ()) -> None:
        # A blank multi-language pipeline: a tokenizer only, no trained model to download.
        self.nlp = spacy.blank("xx")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.trained = frozenset(trained)
        self.kinds: dict[str, str] = {}
        for kind in ENTITY_KINDS:
            for fact in store.of_kind(kind):
                self._add(fact.id, fact.all_names())
                self.kinds[fact.id] = kind
        # The words a slip may stand for, and the words visitors write that are no slip.
        self.vocabulary = frozenset(
            word for norm in store_norms(store) for word in norm.split() if len(word) >= _SLIP_MIN_LETTERS
        )
        self.known = frozenset(words) | self.vocabulary
        for name in country_names():
            self._add(COUNTRY + name, [name])

    def used_in(self, norms: Iterable[str], texts: Iterable[str]) -> set[str]:
        """The ``norms`` that some text writes as whole words.

        Only of these does the CRF know when they are no entity ("misiones de la onu"): a store name
        no training sentence uses ("mideast", "sor sudan") was learnt from the lookups alone, so
        the CRF's silence on it says nothing and the matcher may add it.
        """
        written = {f" {self._tokens(fold(text).replace('.', ''))} " for text in texts}
        return {norm for norm in norms if any(f" {self._tokens(norm)} " in text for text in written)}

    def _tokens(self, text: str) -> str:
        return " ".join(token.text for token in self.nlp.make_doc(text))

    def _add(self, key: str, names: Iterable[str]) -> None:
        norms = {norm for name in names for norm in _norms(name)}
        self.matcher.add(key, [self.nlp.make_doc(norm) for norm in sorted(norms)])

    def find(self, text: str) -> list[dict[str, Any]]:
        """Matches: entity kind, record id or country name, character offsets, and whether it may be added."""
        doc = self.nlp.make_doc(text)
        if not len(doc):
            return []
        # The same tokens, folded: spans found in `folded` map back onto `doc` one to one.
        typed = [fold(t.text).replace(".", "") or t.text for t in doc]
        words = [self._meant(word) for word in typed]
        folded = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        spans = [Span(doc, start, end, label=key) for key, start, end in self.matcher(folded)]
        return [
            self._entity(span, " ".join(words[span.start : span.end]), words[span.start : span.end] != typed[span.start : span.end])
            for span in filter_spans(spans)
        ]

    def _meant(self, word: str) -> str:
        """The store's word ``word`` is a slip for, if exactly one; else ``word`` itself."""
        if len(word) < _SLIP_MIN_LETTERS or word in self.known or not word.isalpha():
            return word
        near = [
            v for v in self.vocabulary
            if v[0] == word[0] and v[-1] == word[-1] and one_edit(word, v)
        ]
        return near[0] if len(near) == 1 else word

    def _entity(self, span: Span, norm: str, mended: bool = False) -> dict[str, Any]:
        key = span.label_
        return {
            "entity": self.kinds.get(key, "place"),
            "value": key.removeprefix(COUNTRY),
            "start": span.start_char,
            "end": span.end_char,
            "extractor": StoreNameMatcher.__name__,
            # Only a store name the CRF never saw (nor saw misspelt so) may stand where it tagged nothing.
            "new": not key.startswith(COUNTRY) and (mended or norm not in self.trained),
            "record": not key.startswith(COUNTRY),
        }


def one_edit(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter left out, added or changed, or two neighbours swapped."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word):
        diffs = [i for i, (a, b) in enumerate(zip(typed, word)) if a != b]
        swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1 and typed[diffs[0]] == word[diffs[1]] and typed[diffs[1]] == word[diffs[0]]
        return len(diffs) == 1 or swapped
    short, long = sorted((typed, word), key=len)
    i = next((i for i, (a, b) in enumerate(zip(short, long)) if a != b), len(short))
    return short[i:] == long[i + 1:]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoreNameMatcher(GraphComponent):
    """Adds store names added since training, and mends names the CRF cut in two."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, trained: Optional[set[str]] = None,
        words: Optional[set[str]] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        # Built from the store as it is now, whatever it was at training time.
        self.names = StoreNames(default_store(), trained or (), words or ())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "StoreNameMatcher":
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "StoreNameMatcher":
        try:
            with model_storage.read_from(resource) as directory:
                trained = set(json.loads((directory / _TRAINED_NAMES).read_text(encoding="utf-8")))
                words_file = directory / _TRAINED_WORDS
                words = set(json.loads(words_file.read_text(encoding="utf-8"))) if words_file.exists() else set()
        except (ValueError, FileNotFoundError):
            trained, words = set(), set()
        return cls(model_storage, resource, trained, words)

    def train(self, training_data: TrainingData) -> Resource:
        """Remember the store's names the CRF saw in the training sentences, and the words of those
        sentences, which are no slips."""
        texts = [m.get(TEXT) or "" for m in training_data.training_examples]
        with self._model_storage.write_to(self._resource) as directory:
            names = sorted(self.names.used_in(store_norms(default_store()), texts))
            (directory / _TRAINED_NAMES).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
            words = sorted({w for text in texts for w in re.findall(r"\w+", fold(text))})
            (directory / _TRAINED_WORDS).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.names.find(message.get(TEXT) or "")
            if found:
                message.set(ENTITIES, merged(message.get(ENTITIES, []), found, frozenset(self.names.kinds)), add_to_output=True)
        return messages


def merged(
    entities: List[Dict[Text, Any]], found: List[Dict[Text, Any]], records: frozenset[str] = frozenset()
) -> List[Dict[Text, Any]]:
    """The CRF's entities, mended where it cut a name in two, plus new store names where it tagged nothing.

    ``records`` are the store's record ids, the values of the names the CRF tagged that the store knows.
    """
    result = list(entities)
    for match in found:
        new, record = match.pop("new"), match.pop("record", False)
        overlapping = [e for e in result if _overlap(e, match)]
        if not overlapping and new:
            result.append(match)
        elif record and len(overlapping) == 1 and _around(overlapping[0], match, records):
            # "[ELN-forhandlingene]", "[NATO-medlemskapet]": a compound the store lacks, on a name it holds.
            # The same span is an alias added since training, which the CRF tagged unknowing.
            role = overlapping[0].get("role")
            result = [e for e in result if e is not overlapping[0]] + [{**match, **({"role": role} if role else {})}]
        elif len(overlapping) > 1 and all(_inside(e, match) for e in overlapping) and (
            record or all(e["entity"] == match["entity"] for e in overlapping)
        ):
            # A store name is the whole ("[FN-operasjonen] i [Colombia]"); another country's only mends its own kind.
            role = next((e["role"] for e in overlapping if e.get("role") and e["entity"] == match["entity"]), None)
            result = [e for e in result if e not in overlapping] + [{**match, **({"role": role} if role else {})}]
    return sorted(result, key=lambda e: e.get("start", 0))


def _around(entity: Dict[Text, Any], match: Dict[Text, Any], records: frozenset[str]) -> bool:
    """Whether the CRF's ``entity`` is a name the store lacks (by the names the model was trained with)
    around or on a store name of its kind: a compound, or an alias added since training."""
    return entity["entity"] == match["entity"] and entity.get("value") not in records and _inside(match, entity)


def _overlap(a: Dict[Text, Any], b: Dict[Text, Any]) -> bool:
    return a.get("start", -1) < b["end"] and b["start"] < a.get("end", -1)


def _inside(a: Dict[Text, Any], b: Dict[Text, Any]) -> bool:
    return b["start"] <= a.get("start", -1) and a.get("end", -1) <= b["end"]
