"""Countries the fact store holds nothing on, by the names the NLU's countries lookup knows.

A name is repeated to a visitor only in a proper form the assistant knows
("francia" is answered as "Francia"); anything else is not quoted back.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
import re
from typing import Optional

import yaml

from bot.domain.store import match_key
from bot.paths import LOOKUPS_DIR

COUNTRIES_FILE = LOOKUPS_DIR / "countries.yml"


@lru_cache(maxsize=2)
def _proper_forms(path: Path = COUNTRIES_FILE) -> dict[str, str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = [
        line[2:].strip()
        for item in document.get("nlu", [])
        if item.get("lookup") == "country"
        for line in item.get("examples", "").splitlines()
        if line.startswith("- ")
    ]
    forms: dict[str, str] = {}
    # "Afganistan" and "Afganistán" are both listed; the accented one is the proper form.
    for name in sorted(names, key=lambda n: sum(not c.isascii() for c in n)):
        forms[match_key(name)] = name
    return forms


def proper_name(value: str, path: Path = COUNTRIES_FILE) -> Optional[str]:
    """The lookup's own spelling of the country ``value`` names, or ``None``."""
    return _proper_forms(path).get(match_key(value))


def names(path: Path = COUNTRIES_FILE) -> list[str]:
    """Every country's name, in the lookup's proper spelling, once."""
    return sorted(set(_proper_forms(path).values()))


@lru_cache(maxsize=2)
def _any_name(path: Path = COUNTRIES_FILE) -> "re.Pattern[str]":
    # Longest first: "Sri Lanka" before "Lanka", "Guinea-Bissau" before "Guinea".
    keys = sorted(_proper_forms(path), key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(re.escape(key) for key in keys)})\b")


def named_in(text: str, path: Path = COUNTRIES_FILE) -> list[str]:
    """The countries ``text`` names, in the lookup's proper spelling, in order: a name the NLU may have left untagged."""
    return [_proper_forms(path)[key] for key in _any_name(path).findall(match_key(text))]
