"""Training data generated from the fact store: the NLU's lookups and synonyms, the topics' rules.

An alias or a topic added to the store reaches the model at the next
``make train``: the Makefile regenerates ``data/lookups/entities.yml`` and
``data/rules/topics.yml`` before training. Hand-written rules live beside
the generated ones in ``data/rules/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from bot.domain.language import NAMES
from bot.domain.store import ENTITY_KINDS, FactStore
from bot.domain.text import fold
from bot.paths import LOOKUPS_DIR, RULES_DIR

LOOKUPS_FILE = LOOKUPS_DIR / "entities.yml"
TOPIC_RULES_FILE = RULES_DIR / "topics.yml"
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


def rules_document(store: FactStore) -> dict[str, Any]:
    """Rasa rules: each topic's intent runs the action the store names for it."""
    rules = [
        {"rule": f"topic {topic.id}", "steps": [{"intent": topic.intent}, {"action": topic.action}]}
        for topic in store.of_kind("topic")
    ]
    return {"version": "3.1", "rules": rules}


def routes(directory: Path = RULES_DIR) -> dict[str, str]:
    """Intent to action, for every rule in ``directory`` that answers one intent with one action."""
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            match rule.get("steps"):
                case [{"intent": intent}, {"action": action}]:
                    found[intent] = action
    return found


# Every generated file, and the document it holds.
GENERATED: dict[Path, Callable[[FactStore], dict[str, Any]]] = {
    LOOKUPS_FILE: nlu_document,
    TOPIC_RULES_FILE: rules_document,
}


def render(store: FactStore, path: Path) -> str:
    """The text the generated file ``path`` must hold."""

    class _Literal(yaml.SafeDumper):
        pass

    def _block(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Literal.add_representer(str, _block)
    body = yaml.dump(GENERATED[path](store), Dumper=_Literal, allow_unicode=True, sort_keys=False)
    return HEADER + body
