"""Slash payloads ("/ask_deployments{...}") from buttons, and the ones visitors forge.

Rasa treats a message starting with "/" as an intent with entities, skipping
the NLU: that is how quick-reply buttons work, and also how "/restart" or
'/greet{"language":"xx"}' would reach the dialogue. Only payloads a button
of ours could send pass; anything else loses its slash and is read as words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.domain.language import LANGUAGES
from bot.paths import DOMAIN

MAX_ENTITY_CHARS = 100
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
            if name == "language" and value not in LANGUAGES:
                return False
        return True


@lru_cache(maxsize=1)
def vocabulary(domain: Path = DOMAIN) -> Vocabulary:
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    # An entity with roles is a mapping ({"place": {"roles": [...]}}), the others plain names.
    entities = (name if isinstance(name, str) else next(iter(name)) for name in data["entities"])
    return Vocabulary(frozenset(data["intents"]), frozenset(entities))


def neutralise(text: str, allowed: Vocabulary | None = None) -> str:
    """``text`` itself, unless it is a slash payload no button of ours sends."""
    stripped = text.lstrip()
    if not stripped.startswith("/") or (allowed or vocabulary()).allows(stripped):
        return text
    return stripped.lstrip("/").strip() or "?"
