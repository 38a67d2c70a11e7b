"""The languages the assistant speaks: each has its training data and its held-out test set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, RegistryError, registry
from bot.paths import NLU_DATA, ROOT

_ENTRY = {
    "code": "en", "name": "English", "label": "EN", "locales": ["en"], "names": ["english"], "lingua": ["ENGLISH"],
    "cues": ["hello"], "about": "about", "dated": "In {year}, ", "current": ["now"], "colour": "#000000",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_has_training_data_and_a_held_out_set(lang: str) -> None:
    assert list((NLU_DATA / lang).glob("*.yml"))
    assert (ROOT / "tests" / "nlu" / lang / "test_nlu.yml").exists()


def test_the_default_is_one_of_them() -> None:
    assert DEFAULT_LANGUAGE in LANGUAGES


def test_the_store_names_languages_without_importing_their_detection() -> None:
    # The import circle langid -> store -> language -> langid stays broken.
    import ast
    import inspect

    from bot.domain import store

    imported = {node.module for node in ast.walk(ast.parse(inspect.getsource(store))) if isinstance(node, ast.ImportFrom)}
    assert "bot.domain.language" not in imported


@pytest.mark.parametrize(
    "entries,problem",
    [
        ([], "distinct codes"),
        ([{"code": "en"}], "lacks"),
        ([_ENTRY, _ENTRY], "distinct codes"),
        ([{**_ENTRY, "dated": "In 2019, "}], "{year}"),
    ],
)
def test_a_broken_registry_is_refused(tmp_path: Path, entries: list, problem: str) -> None:
    path = tmp_path / "languages.yml"
    path.write_text(yaml.safe_dump({"languages": entries}), encoding="utf-8")
    with pytest.raises(RegistryError, match=re.escape(problem)):
        registry(path)


def test_each_language_knows_its_locales_and_names() -> None:
    for entry in registry():
        assert entry.code in entry.locales and entry.names and entry.dated.count("{year}") == 1
