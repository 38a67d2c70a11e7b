"""Every language, always: each language of the registry has every response, button, intent, fact and page string.

The languages come from the registry (``bot/languages.yml``), never from this
file: tests/test_new_language.py runs these same tests on a copy of the project
with a toy language added as data alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, registry
from bot.domain.store import load_store
from tests.conftest import LANGS, ROOT

MIN_TRAINING_EXAMPLES = 15
MIN_TEST_EXAMPLES = 15
# Intents only buttons send (their payload names them); nobody types them, so they have no examples.
BUTTON_ONLY_INTENTS = {"rate_answer"}
OTHER_LANGS = [lang for lang in LANGS if lang != DEFAULT_LANGUAGE]


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


def _language_of(variant: dict[str, Any]) -> str:
    """The language a response variant is for: its `language` slot condition, or the default."""
    values = [c["value"] for c in variant.get("condition") or [] if c.get("name") == "language"]
    return values[0] if values else DEFAULT_LANGUAGE


@pytest.mark.parametrize("name", sorted(_domain()["responses"]))
def test_every_response_has_one_variant_in_each_language(name: str) -> None:
    variants = _domain()["responses"][name]
    assert all("channel" not in v for v in variants), "a channel variant would beat the language condition"
    by_language = {_language_of(v): v for v in variants}
    assert sorted(by_language) == sorted(LANGS) and len(variants) == len(LANGS), (name, [_language_of(v) for v in variants])
    default = by_language[DEFAULT_LANGUAGE]
    for lang in OTHER_LANGS:
        variant = by_language[lang]
        assert variant["text"] != default["text"], (name, lang)
        assert _variables(variant["text"]) == _variables(default["text"]), (name, lang)
        payloads = [b["payload"] for b in variant.get("buttons", [])]
        assert payloads == [b["payload"] for b in default.get("buttons", [])], (name, lang)
        assert all(b["title"] for b in variant.get("buttons", [])), (name, lang)


@pytest.mark.parametrize("folder", ["data/nlu", "tests/nlu"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_intent_has_examples_in_each_language(folder: str, lang: str) -> None:
    intents = set(_domain()["intents"]) - BUTTON_ONLY_INTENTS
    minimum = MIN_TRAINING_EXAMPLES if folder == "data/nlu" else MIN_TEST_EXAMPLES
    examples = _examples(ROOT / folder / lang)
    assert set(examples) == intents, f"{folder}/{lang}: {set(examples) ^ intents}"
    thin = {intent: len(lines) for intent, lines in examples.items() if len(lines) < minimum}
    assert not thin, f"{folder}/{lang} has fewer than {minimum} examples for {thin}"


@pytest.mark.parametrize("folder", ["tests/nlu", "tests/dev/nlu"])
@pytest.mark.parametrize("lang", LANGS)
def test_held_out_and_development_examples_are_not_in_the_training_data(folder: str, lang: str) -> None:
    training = {e.lower() for lines in _examples(ROOT / "data/nlu" / lang).values() for e in lines}
    held_out = {e.lower() for lines in _examples(ROOT / folder / lang).values() for e in lines}
    overlap = training & held_out
    assert not overlap, f"{lang}: {sorted(overlap)[:10]}"


def _conversation_turns(lang: str) -> set[str]:
    """Every turn of the held-out and development conversations in ``lang`` (tests/{heldout,dev}/<set>/<lang>.yml)."""
    paths = [*ROOT.glob(f"tests/heldout/*/{lang}.yml"), *ROOT.glob(f"tests/dev/*/{lang}.yml")]
    return {
        turn["text"].lower() for path in paths
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
        for turn in conversation["turns"]
    }


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_and_development_conversations_are_not_in_the_training_data(lang: str) -> None:
    training = {e.lower() for lines in _examples(ROOT / "data/nlu" / lang).values() for e in lines}
    turns = _conversation_turns(lang)
    assert not training & turns, f"{lang}: {sorted(training & turns)[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_button_only_intents_are_sent_by_a_button_in_each_language(lang: str) -> None:
    for intent in BUTTON_ONLY_INTENTS:
        payloads = [
            b["payload"] for variants in _domain()["responses"].values() for v in variants
            if _language_of(v) == lang for b in v.get("buttons", [])
        ]
        assert any(p.startswith(f"/{intent}") for p in payloads), (intent, lang)


def test_every_fact_has_every_language() -> None:
    # Loading refuses a text, name, date or alias list in a language the registry lacks, or one missing.
    store = load_store(ROOT / "bot" / "facts")
    for fact in store:
        assert set(fact.name) == set(LANGS), fact.id
        if fact.text is not None:
            assert set(fact.text) == set(LANGS), fact.id


def test_every_channel_message_is_in_each_language() -> None:
    messages = yaml.safe_load((ROOT / "bot" / "channels" / "messages.yml").read_text(encoding="utf-8"))
    for name, texts in messages.items():
        assert set(texts) == set(LANGS), name
        assert all(_variables(texts[lang]) == _variables(texts[DEFAULT_LANGUAGE]) for lang in LANGS), name


def _page_strings() -> dict[str, dict[str, str]]:
    """The page's strings (bot/web/strings.yml): each string's text by language."""
    return yaml.safe_load((ROOT / "bot" / "web" / "strings.yml").read_text(encoding="utf-8"))


def test_the_page_has_its_strings_and_a_switch_in_each_language() -> None:
    from bot.web.widget import page

    for name, texts in _page_strings().items():
        assert set(texts) >= set(LANGS), (name, set(LANGS) - set(texts))
        assert all(isinstance(texts[lang], str) and texts[lang].strip() for lang in LANGS), name
        for lang in OTHER_LANGS:
            assert _variables(texts[lang]) == _variables(texts[DEFAULT_LANGUAGE]), (name, lang)
    served = page(30)
    for entry in registry():
        assert served.count(f'class="language" data-lang="{entry.code}"') == 1, entry.code


def test_the_registry_and_the_languages_agree() -> None:
    assert tuple(LANGS) == LANGUAGES == tuple(entry.code for entry in registry())
