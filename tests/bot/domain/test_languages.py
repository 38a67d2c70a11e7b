"""The languages the assistant speaks: each has its training data and its held-out test set."""

from __future__ import annotations

import pytest

from bot.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.paths import NLU_DATA, ROOT


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
