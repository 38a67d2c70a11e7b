"""Slash payloads ("/ask_deployments{...}") from buttons, and the ones visitors forge.

Rasa treats a message starting with "/" as an intent with entities, skipping
the NLU: that is how quick-reply buttons work, and also how "/restart" or
'/greet{"language":"xx"}' would reach the dialogue. Only payloads a button
of ours could send pass; anything else loses its slash and is read as words.

The language is never taken from a payload's JSON. The page's language switch
sends "/switch_language" with the chosen locale in the message's metadata, as
every message carries it; the locale, first in ``bot.domain.language.decide``'s
precedence, decides, and reaches the ``language`` slot as the payload's entity.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.domain.language import SWITCH_INTENT, Lang, Signals, decide
from bot.paths import DOMAIN

MAX_ENTITY_CHARS = 100
# Filled from the message's locale only, never from a payload's JSON.
LANGUAGE_ENTITY = "language"
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][A-Za-z0-9_]*)(?P<entities>\{.*\})?$", re.DOTALL)


@dataclass(frozen=True)
class Vocabulary:
    """The intents and entities a payload may name: the domain's own."""

    intents: frozenset[str]
    entities: frozenset[str]

    def allows(self, text: str) -> bool:
        match = _PAYLOAD.match(text.strip())
        if match is None or match["intent"] not in self.intents:
            return False
        return match["entities"] is None or self._valid_entities(match["entities"])

    def _valid_entities(self, raw: str) -> bool:
        try:
            entities: Any = json.loads(raw)
        except ValueError:
            return False
        if not isinstance(entities, dict):
            return False
        for name, value in entities.items():
            if name not in self.entities or not isinstance(value, str) or len(value) > MAX_ENTITY_CHARS:
                return False
        return True


@lru_cache(maxsize=1)
def vocabulary(domain: Path = DOMAIN) -> Vocabulary:
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    # An entity with roles is a mapping ({"place": {"roles": [...]}}), the others plain names.
    entities = (name if isinstance(name, str) else next(iter(name)) for name in data["entities"])
    return Vocabulary(frozenset(data["intents"]), frozenset(entities) - {LANGUAGE_ENTITY})


def neutralise(text: str, locale: Optional[Lang] = None, allowed: Vocabulary | None = None) -> str:
    """``text`` itself, unless it is a slash payload no button of ours sends.

    A language switch ("/switch_language", whatever JSON follows) switches to
    ``locale``, the language of the message's metadata, when it has one.
    """
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return text
    if locale and _intent_of(stripped) == SWITCH_INTENT:
        chosen = decide(Signals(locale=locale)).language
        return f"/{SWITCH_INTENT}" + json.dumps({LANGUAGE_ENTITY: chosen})
    if (allowed or vocabulary()).allows(stripped):
        return text
    return stripped.lstrip("/").strip() or "?"


def _intent_of(payload: str) -> Optional[str]:
    match = _PAYLOAD.match(payload.strip())
    return match["intent"] if match else None
