"""Rasa NLU glue: the intent classifier's settings, and the visitor's language on each message.

The language travels as a ``language`` entity so the ``language`` slot is set
when the user turn is applied, before any response is rendered. An explicit
request ("en español") found by the classifier wins; otherwise offline
detection adds one only when it is confident.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import SWITCH_INTENT, detect, find_requested, from_name, warm_up

ENTITY = "language"


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
        requested = [e for e in entities if e.get("entity") == ENTITY]
        others = [e for e in entities if e.get("entity") != ENTITY]
        code = _first_code(requested)
        if code is not None:
            return others + [{**requested[0], "value": code}]
        text = message.get(TEXT) or ""
        # A request to switch names the wanted language in the other one ("hablar en inglés").
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == SWITCH_INTENT:
            detected = find_requested(text) or detect(text)
        else:
            detected = detect(text)
        if detected is None:
            return others
        return others + [
            {"entity": ENTITY, "value": detected, "start": 0, "end": len(text), "extractor": type(self).__name__}
        ]


def _first_code(entities: List[Dict[Text, Any]]) -> Optional[str]:
    for entity in entities:
        code = from_name(str(entity.get("value", "")))
        if code is not None:
            return code
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Rasa's logistic-regression intent classifier with its regularisation exposed.

    Rasa fixes ``C`` at scikit-learn's 1.0, which on a few words ("NATO",
    "onu") spreads the probability too thin for the fallback threshold.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"])
