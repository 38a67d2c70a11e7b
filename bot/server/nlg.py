"""Domain responses that say which language they are in.

Rasa's own response generator, plus ``language`` on every message: the
language whose variant the response's ``condition`` picked. The channels
(bot/channels/base.py) pass it to the client as ``metadata.language``, so the chat
page and the widget switch their own labels when the conversation switches.
Used from endpoints.yml (``nlg: type: bot.server.nlg.LanguageNLG``).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.domain.language import DEFAULT_LANGUAGE, LANGUAGES

# The key Rasa carries from the generated response to the output channel.
LANGUAGE_KEY = "language"
LANGUAGE_SLOT = "language"


class LanguageNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def generate_from_slots(
        self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        response = super().generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
        if response is not None:
            response[LANGUAGE_KEY] = response_language(filled_slots.get(LANGUAGE_SLOT))
        return response


def response_language(slot: Any) -> str:
    """The language of the variant picked for ``slot``: each `es` variant has the condition language == es."""
    return slot if slot in LANGUAGES else DEFAULT_LANGUAGE
