"""Rasa NLU glue: counts for whole messages, a CRF that leaves the training data alone, the intent classifier's settings, and the visitor's language on each message.

The language travels as a ``language`` entity so the ``language`` slot is set
when the user turn is applied, before any response is rendered. The message's
words are read into signals and ``bot.domain.language.decide`` ranks them: an
explicit request ("en español"), else confident detection. When neither
decides, no entity is added and the slot keeps the conversation's language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, spmatrix, vstack
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.extractors.crf_entity_extractor import (
    CONFIG_FEATURES, CRFEntityExtractor, CRFEntityExtractorOptions, CRFToken,
)
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import (
    ENTITIES, FEATURE_TYPE_SENTENCE, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

from bot.domain.language import (
    REQUESTED_KEY, SWITCH_INTENT, Reason, decide, normalise, read_words, requested_in, warm_up,
)

ENTITY = "language"
# Detection reads the start of a message: the language shows within a few
# sentences, and a 10,000-character paste costs no more than a paragraph.
DETECT_CHARS = 500


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer without per-token counts for a message's text.

    Rasa counts a text twice: once per token (sequence features) and once for
    the whole text (sentence features). The intent classifier reads only the
    sentence features and the CRF reads none, so the first count is skipped,
    half of the featurizer's work on every message. The sentence features are
    Rasa's own; a component that needs per-token counts (DIET, for one) needs
    Rasa's featurizer back.
    """

    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[spmatrix]], List[Optional[spmatrix]]]:
        # Attributes with no sentence features (intents, action names) keep their per-token ones.
        if attribute not in DENSE_FEATURIZABLE_ATTRIBUTES or not self.vectorizers.get(attribute):
            return super()._create_features(attribute, all_tokens)
        sentences: List[Optional[spmatrix]] = []
        for tokens in all_tokens:
            if not tokens:
                sentences.append(None)
                continue
            counts = self.vectorizers[attribute].transform([" ".join(tokens)])
            counts.sort_indices()
            sentences.append(counts.tocoo())
        return [None] * len(all_tokens), sentences


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CacheSafeCRFEntityExtractor(CRFEntityExtractor):
    """Rasa's CRFEntityExtractor, trained on copies of the messages so that the training data stays as it was.

    Rasa's marks every training message with BILOU tags in place. The
    components trained after it then read other data than the fingerprints
    Rasa's cache recorded for it, so the next ``rasa train``, with nothing
    changed, trains them all again (docs/performance.md).

    Each token's features are Rasa's, with their names built once per
    model instead of once per token and window position.
    """

    @property
    def name(self) -> Text:
        # The entities it finds are Rasa's CRF's, and say so, as before.
        return CRFEntityExtractor.__name__

    def train(self, training_data: TrainingData) -> Resource:
        # A Message copies its data dict; the features are read, never changed.
        copies = [Message(data=m.data, output_properties=set(m.output_properties), time=m.time, features=m.features)
                  for m in training_data.training_examples]
        return super().train(TrainingData(
            training_examples=copies,
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
        ))

    @classmethod
    def _crf_tokens_to_features(
        cls, crf_tokens: List[CRFToken], config: Dict[str, Any], include_tag_features: bool = False
    ) -> List[Dict[Text, Any]]:
        window = _feature_plan(tuple(map(tuple, config[CONFIG_FEATURES])), include_tag_features)
        half = len(window) // 2
        return [_token_features(crf_tokens, index, window, half) for index in range(len(crf_tokens))]


# Per feature: its name (as "<window position>:<feature>"), how to read it off a token, whether it is the
# dict of lookup-table matches (one feature per table).
FeaturePlan = Tuple[Tuple[Tuple[Text, Callable[[CRFToken], Any], bool], ...], ...]


@lru_cache(maxsize=8)
def _feature_plan(configured: Tuple[Tuple[CRFEntityExtractorOptions, ...], ...], include_tag_features: bool) -> FeaturePlan:
    half = len(configured) // 2
    extra = (CRFEntityExtractorOptions.ENTITY,) if include_tag_features else ()
    return tuple(
        tuple((f"{position - half}:{feature}", CRFEntityExtractor.function_dict[feature],
               feature == CRFEntityExtractorOptions.PATTERN) for feature in features + extra)
        for position, features in enumerate(configured)
    )


def _token_features(crf_tokens: List[CRFToken], index: int, window: FeaturePlan, half: int) -> Dict[Text, Any]:
    """What Rasa's ``_create_features_for_token`` gives, in the same order."""
    features: Dict[Text, Any] = {}
    for position, planned in enumerate(window):
        at = index + position - half
        if at >= len(crf_tokens):
            features["EOS"] = True
        elif at < 0:
            features["BOS"] = True
        else:
            token = crf_tokens[at]
            for name, read, is_pattern in planned:
                if is_pattern:
                    for pattern, matched in read(token).items():
                        features[f"{name}:{pattern}"] = matched
                else:
                    features[name] = read(token)
    return features


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds or normalises the ``language`` entity of each message."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        warm_up()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(ENTITIES, self._with_language(message), add_to_output=True)
            if any(e.get(REQUESTED_KEY) for e in message.get(ENTITIES, [])):
                question_before_switch(message)
        return messages

    def _with_language(self, message: Message) -> List[Dict[Text, Any]]:
        entities = list(message.get(ENTITIES, []))
        named = [e for e in entities if e.get("entity") == ENTITY]
        others = [e for e in entities if e.get("entity") != ENTITY]
        text = message.get(TEXT) or ""
        tagged = next((lang for e in named if (lang := normalise(str(e.get("value", ""))))), None)
        # A request the CRF did not tag ("please reply in Norwegian (bokmål). How many ...?") is still one.
        named_language = tagged or requested_in(text)
        asks_to_switch = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == SWITCH_INTENT
        decision = decide(read_words(text[:DETECT_CHARS], asks_to_switch, named_language))
        # Otherwise the slot keeps the conversation's language (English before any).
        if not decision.from_words:
            return others
        span = named[0] if tagged else {"start": 0, "end": len(text), "extractor": type(self).__name__}
        # A request ("en español, por favor: ...") is confirmed whatever the intent; detection is not.
        asked = {REQUESTED_KEY: True} if decision.reason is Reason.REQUESTED else {}
        return others + [{**span, "entity": ENTITY, "value": decision.language, **asked}]


def question_before_switch(message: Message) -> None:
    """A request for a language torn between the switch and a question ("På norsk, takk: hvor mange
    politifolk var det?") is the question: the answer actions confirm any request for a language.

    Left as it was, the two intents' near tie would send the message to the fallback. The switch
    leaves the ranking (the `language` entity carries it); a question the classifier gives less
    than the fallback's threshold is a guess, and the switch stays.
    """
    ranking = list(message.get(INTENT_RANKING_KEY) or [])
    top_two = [entry.get(INTENT_NAME_KEY) for entry in ranking[:2]]
    if len(top_two) < 2 or SWITCH_INTENT not in top_two:
        return
    question = ranking[1 - top_two.index(SWITCH_INTENT)]
    if question.get(INTENT_NAME_KEY) in _NOT_QUESTIONS or question.get(PREDICTED_CONFIDENCE_KEY, 0.0) < _QUESTION_AT_LEAST:
        return
    message.set(INTENT, question, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [e for e in ranking if e.get(INTENT_NAME_KEY) != SWITCH_INTENT], add_to_output=True)


# Intents that are no question to answer after a switch.
_NOT_QUESTIONS = {"greet", "goodbye", "thank", "out_of_scope", "improper_request", "nlu_fallback"}
# The FallbackClassifier's threshold in config.yml.
_QUESTION_AT_LEAST = 0.3


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Rasa's logistic-regression intent classifier with its regularisation exposed.

    Rasa fixes ``C`` at scikit-learn's 1.0, which on a few words ("NATO",
    "onu") spreads the probability too thin for the fallback threshold.

    A message without usable features gets no intent (confidence 0, so the
    FallbackClassifier asks to rephrase) instead of a guess from the model's
    intercepts. That covers a message of punctuation or symbols alone ("??!!"),
    and an empty message, for which Rasa's RegexFeaturizer
    adds no features at all, so the row would be narrower than the model and
    scikit-learn would raise ("X has 8474 features, but LogisticRegression is
    expecting 8479"), and a text made only of unseen characters.

    Each message's row is built once, directly from its sentence features
    (those of each sparse featurizer, then the dense ones, as Rasa orders
    them). Rasa's own ``_create_X`` first combines every featurizer's sequence
    features (one row per token) as well and then drops them, through a dozen
    scipy stackings of tiny matrices, and ran twice a message here: most of
    the classifier's time (docs/performance.md).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> LinearIntentClassifier:
        component = super().load(*args, **kwargs)
        coef = getattr(component.clf, "coef_", None)
        if coef is not None:
            # Column-major, so that scikit-learn's product with each row reads coef_.T
            # as it lies instead of copying it (intents x features, over a megabyte) every message.
            component.clf.coef_ = np.asfortranarray(coef)
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        expected = getattr(self.clf, "n_features_in_", None)
        if expected is None:  # not trained (no intent examples): Rasa's own handling
            return super().process(messages)
        for message in messages:
            row = _sentence_row(message)
            # Punctuation alone ("??!!") asks nothing, though its n-grams occur in questions.
            if row.shape[1] == expected and row.count_nonzero() > 0 and _HAS_WORD.search(message.get(TEXT) or ""):
                self._set_intent(message, self.clf.predict_proba(row)[0])
            else:
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages

    def _set_intent(self, message: Message, probabilities: Sequence[float]) -> None:
        """The intent and ranking exactly as Rasa's ``process`` sets them."""
        ranking = sorted(
            ({INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in zip(self.clf.classes_, probabilities)),
            key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY],
        )
        message.set(INTENT, ranking[0], add_to_output=True)
        length = self.config[RANKING_LENGTH]
        message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """One row per message (training builds its matrix here too)."""
        return vstack([_sentence_row(message) for message in messages], format="csr")


_HAS_WORD = re.compile(r"[^\W_]")


def _sentence_row(message: Message) -> csr_matrix:
    """The message's text sentence features side by side: sparse ones first, in featurizer order, then dense ones.

    The same row as Rasa's ``_create_X`` builds, with one conversion instead of
    a stacking per featurizer. No features: a row of width 0.
    """
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    blocks = [f.features.tocoo(copy=False) for f in sentence if f.is_sparse()]
    blocks += [coo_matrix(f.features) for f in sentence if f.is_dense()]
    if not blocks:
        return csr_matrix((1, 0))
    offsets = np.cumsum([0] + [block.shape[1] for block in blocks])
    columns = np.concatenate([block.col + offset for block, offset in zip(blocks, offsets)])
    # Float, as Rasa's rows always are (its empty block of dense features is).
    values = np.concatenate([block.data for block in blocks]).astype(np.float64)
    return csr_matrix((values, (np.zeros_like(columns), columns)), shape=(1, offsets[-1]))
