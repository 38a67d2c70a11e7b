"""Both languages, always: every response, intent and test set exists in English and Spanish."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import LANGS, ROOT

SPANISH = [{"type": "slot", "name": "language", "value": "es"}]
MIN_TRAINING_EXAMPLES = 15
MIN_TEST_EXAMPLES = 15
# Intents only buttons send (their payload names them); nobody types them, so they have no examples.
BUTTON_ONLY_INTENTS = {"rate_answer"}


def _domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def _examples(folder: Path) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                lines = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
                by_intent.setdefault(item["intent"], []).extend(lines)
    return by_intent


def _variables(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


@pytest.mark.parametrize("name", sorted(_domain()["responses"]))
def test_every_response_has_an_english_default_and_a_spanish_variant(name: str) -> None:
    variants = _domain()["responses"][name]
    assert all("channel" not in v for v in variants), "a channel variant would beat the language condition"
    defaults = [v for v in variants if not v.get("condition")]
    spanish = [v for v in variants if v.get("condition") == SPANISH]
    assert len(defaults) == 1 and len(spanish) == 1 and len(variants) == 2
    (en,), (es,) = defaults, spanish
    assert en["text"] != es["text"]
    assert _variables(en["text"]) == _variables(es["text"])
    assert [b["payload"] for b in en.get("buttons", [])] == [b["payload"] for b in es.get("buttons", [])]
    for en_button, es_button in zip(en.get("buttons", []), es.get("buttons", [])):
        assert en_button["title"] and es_button["title"]


@pytest.mark.parametrize("folder", ["data/nlu", "tests/nlu"])
def test_every_intent_has_examples_in_both_languages(folder: str) -> None:
    intents = set(_domain()["intents"]) - BUTTON_ONLY_INTENTS
    minimum = MIN_TRAINING_EXAMPLES if folder == "data/nlu" else MIN_TEST_EXAMPLES
    for lang in LANGS:
        examples = _examples(ROOT / folder / lang)
        assert set(examples) == intents, f"{folder}/{lang}: {set(examples) ^ intents}"
        thin = {intent: len(lines) for intent, lines in examples.items() if len(lines) < minimum}
        assert not thin, f"{folder}/{lang} has fewer than {minimum} examples for {thin}"


def test_held_out_examples_are_not_in_the_training_data() -> None:
    for lang in LANGS:
        training = {e.lower() for lines in _examples(ROOT / "data/nlu" / lang).values() for e in lines}
        held_out = {e.lower() for lines in _examples(ROOT / "tests/nlu" / lang).values() for e in lines}
        overlap = training & held_out
        assert not overlap, f"{lang}: {sorted(overlap)[:10]}"


def test_button_only_intents_are_sent_by_a_button_in_both_languages() -> None:
    for intent in BUTTON_ONLY_INTENTS:
        for condition in ([], SPANISH):
            payloads = [
                b["payload"] for variants in _domain()["responses"].values() for v in variants
                if (v.get("condition") or []) == condition for b in v.get("buttons", [])
            ]
            assert any(p.startswith(f"/{intent}") for p in payloads), (intent, condition)
