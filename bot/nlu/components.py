"""Rasa NLU glue: the intent classifier's settings, and the visitor's language on each message.

The language travels as a ``language`` entity so the ``language`` slot is set
when the user turn is applied, before any response is rendered. The message's
words are read into signals and ``bot.domain.language.decide`` ranks them: an
explicit request ("en español"), else confident detection. When neither
decides, no entity is added and the slot keeps the conversation's language.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from scipy.sparse import csr_matrix
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.language import SWITCH_INTENT, decide, normalise, read_words, warm_up

ENTITY = "language"
# Detection reads the start of a message: the language shows within a few
# sentences, and a 10,000-character paste costs no more than a paragraph.
DETECT_CHARS = 500


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds or normalises the ``language`` entity of each message."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        warm_up()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(ENTITIES, self._with_language(message), add_to_output=True)
        return messages

    def _with_language(self, message: Message) -> List[Dict[Text, Any]]:
        entities = list(message.get(ENTITIES, []))
        named = [e for e in entities if e.get("entity") == ENTITY]
        others = [e for e in entities if e.get("entity") != ENTITY]
        text = message.get(TEXT) or ""
        named_language = next((lang for e in named if (lang := normalise(str(e.get("value", ""))))), None)
        asks_to_switch = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == SWITCH_INTENT
        decision = decide(read_words(text[:DETECT_CHARS], asks_to_switch, named_language))
        # Otherwise the slot keeps the conversation's language (English before any).
        if not decision.from_words:
            return others
        span = named[0] if named_language else {"start": 0, "end": len(text), "extractor": type(self).__name__}
        return others + [{**span, "entity": ENTITY, "value": decision.language}]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Rasa's logistic-regression intent classifier with its regularisation exposed.

    Rasa fixes ``C`` at scikit-learn's 1.0, which on a few words ("NATO",
    "onu") spreads the probability too thin for the fallback threshold.

    A message without usable features gets no intent (confidence 0, so the
    FallbackClassifier asks to rephrase) instead of a guess from the model's
    intercepts. That covers an empty message, for which Rasa's RegexFeaturizer
    adds no features at all, so the row would be narrower than the model and
    scikit-learn would raise ("X has 8474 features, but LogisticRegression is
    expecting 8479"), and a text made only of unseen characters.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])

    def process(self, messages: List[Message]) -> List[Message]:
        usable = [m for m in messages if self._has_usable_features(m)]
        if usable:
            super().process(usable)
        for message in messages:
            if not any(message is m for m in usable):
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages

    def _has_usable_features(self, message: Message) -> bool:
        """Whether the message's row has the trained width and any non-zero feature."""
        expected = getattr(self.clf, "n_features_in_", None)
        if expected is None:  # not trained (no intent examples): Rasa's own handling
            return True
        row: csr_matrix = self._create_X([message])
        return row.shape[1] == expected and row.count_nonzero() > 0
