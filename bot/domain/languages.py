"""The languages the assistant speaks, read from the registry ``bot/languages.yml``.

A language is data: its registry entry, and its texts keyed by its code
everywhere else. No module names a language; each asks this one. Kept apart
from ``bot.domain.language`` (which decides a visitor's language and needs
the classifiers) so that the fact store can name the languages without
importing the code that reads the store.

``LANGUAGES_FILE`` points at another registry (the toy-language test).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from bot.paths import ROOT

REGISTRY = Path(os.environ.get("LANGUAGES_FILE") or ROOT / "bot" / "languages.yml")

# A language's code: "en", "es", "nb".
Lang = str


class RegistryError(ValueError):
    """The registry of languages is broken; the message names the language and field."""


@dataclass(frozen=True)
class Language:
    """One registry entry; see the comments at the top of ``bot/languages.yml``."""

    code: Lang
    name: str
    label: str
    locales: tuple[str, ...]
    names: tuple[str, ...]
    lingua: tuple[str, ...]
    spelling: Optional[str]
    cues: frozenset[str]
    about: str
    dated: str
    current: tuple[str, ...]
    colour: str
    reading: Mapping[str, Any] = field(default_factory=dict)

    def alternatives(self, what: str, kind: Optional[str] = None) -> tuple[str, ...]:
        """The regular-expression alternatives of ``reading[what]`` (``[kind]``), if any."""
        found = self.reading.get(what) or {}
        found = found.get(kind) or () if kind is not None else found
        return tuple(str(item) for item in found)


# `lingua` may be empty: a language lingua does not know is told by the other signals.
_REQUIRED = ("code", "name", "label", "locales", "names", "cues", "about", "dated", "current", "colour")


def _language(raw: Mapping[str, Any]) -> Language:
    missing = [key for key in _REQUIRED if raw.get(key) in (None, "", [])]
    if missing:
        raise RegistryError(f"language {raw.get('code')!r} lacks {', '.join(missing)}")
    if "{year}" not in str(raw["dated"]):
        raise RegistryError(f"language {raw['code']!r}: 'dated' must hold {{year}}")
    if raw.get("spelling"):
        re.compile(str(raw["spelling"]))
    return Language(
        code=str(raw["code"]),
        name=str(raw["name"]),
        label=str(raw["label"]),
        locales=tuple(str(locale).lower() for locale in raw["locales"]),
        names=tuple(str(name) for name in raw["names"]),
        lingua=tuple(str(name).upper() for name in raw.get("lingua") or ()),
        spelling=str(raw["spelling"]) if raw.get("spelling") else None,
        cues=frozenset(str(cue) for cue in raw["cues"]),
        about=str(raw["about"]),
        dated=str(raw["dated"]),
        current=tuple(str(word) for word in raw["current"]),
        colour=str(raw["colour"]),
        reading=raw.get("reading") or {},
    )


@lru_cache(maxsize=4)
def registry(path: Path = REGISTRY) -> tuple[Language, ...]:
    """Every language of the registry at ``path``, the default first."""
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("languages") or []
    languages = tuple(_language(entry) for entry in entries)
    codes = [language.code for language in languages]
    if not codes or len(set(codes)) != len(codes):
        raise RegistryError(f"{path}: the registry needs languages with distinct codes, has {codes}")
    return languages


def language(code: Lang) -> Language:
    """The registry entry of ``code``."""
    return next(entry for entry in registry() if entry.code == code)


def either(what: str, kind: Optional[str] = None) -> str:
    """The alternatives of ``reading[what]`` (``[kind]``) over every language, as one regular expression."""
    return "|".join(item for entry in registry() for item in entry.alternatives(what, kind))


LANGUAGES: tuple[Lang, ...] = tuple(entry.code for entry in registry())
DEFAULT_LANGUAGE: Lang = LANGUAGES[0]
