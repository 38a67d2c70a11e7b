"""Lookup tables and synonyms for the NLU, generated from the fact store.

An alias added to the store reaches the model at the next ``make train``:
the Makefile regenerates ``data/lookups/entities.yml`` before training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.domain.language import NAMES
from bot.domain.store import ENTITY_KINDS, FactStore
from bot.domain.text import fold
from bot.paths import LOOKUPS_DIR

LOOKUPS_FILE = LOOKUPS_DIR / "entities.yml"
HEADER = "# Generated from bot/facts by `python -m bot nlu export`; do not edit by hand.\n"


def _variants(name: str) -> list[str]:
    # Lookups match accents literally, so "Haití" needs its folded form "haiti" too.
    return list(dict.fromkeys([name, fold(name)]))


def nlu_document(store: FactStore) -> dict[str, Any]:
    """Rasa NLU data: one lookup per entity kind and one synonym per record."""
    nlu: list[dict[str, Any]] = []
    for kind in ENTITY_KINDS:
        names = sorted({v for f in store.of_kind(kind) for n in f.all_names() for v in _variants(n)})
        nlu.append({"lookup": kind, "examples": _examples(names)})
    for kind in ENTITY_KINDS:
        for fact in store.of_kind(kind):
            variants = sorted({v for n in fact.all_names() for v in _variants(n)} - {fact.id})
            nlu.append({"synonym": fact.id, "examples": _examples(variants)})
    for lang, names in NAMES.items():
        nlu.append({"synonym": lang, "examples": _examples(sorted(set(names) - {lang}))})
    return {"version": "3.1", "nlu": nlu}


def _examples(values: list[str]) -> str:
    return "".join(f"- {value}\n" for value in values)


def render(store: FactStore) -> str:
    class _Literal(yaml.SafeDumper):
        pass

    def _block(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Literal.add_representer(str, _block)
    body = yaml.dump(nlu_document(store), Dumper=_Literal, allow_unicode=True, sort_keys=False)
    return HEADER + body
