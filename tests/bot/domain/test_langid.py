"""The in-domain character n-gram classifier trained on the NLU data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.langid import TRAINING_DATA, classify, sentences
from tests.conftest import LANGS, ROOT

HELD_OUT = ROOT / "tests" / "nlu"
# Of a language's held-out sentences, at most this share may be taken for another
# language, and at least this share must be told as it (the rest: too short to tell).
MAX_WRONG = 0.03
MIN_TOLD = 0.8


@pytest.mark.parametrize(
    "text,lang",
    [("que es la red nwm", "es"), ("cuantos policias", "es"), ("otan", "es"), ("what about the police", "en"), ("nuclear disarmement", "en")],
)
def test_in_domain_short_text_is_classified(text: str, lang: str) -> None:
    assert classify(text) == lang


@pytest.mark.parametrize("text,lang", [("haiti otan", "es"), ("colombia farc paz", "es"), ("farc fred", "nb"), ("farc peace", "en")])
def test_names_every_language_writes_leave_the_other_words_to_tell(text: str, lang: str) -> None:
    # "farc" and "haiti" are in every language's data, yet lean to the one that holds them most often.
    assert classify(text) == lang


@pytest.mark.parametrize("text", ["ok", "bye", "MINUSMA", "123", "", "👍"])
def test_words_both_languages_use_give_no_answer(text: str) -> None:
    assert classify(text) is None


def test_training_sentences_lose_their_annotations() -> None:
    texts = [text for _, text in sentences(TRAINING_DATA / "es")]
    assert "¿cuántos [" not in " ".join(texts)
    assert any(text.startswith("¿cuántos soldados tiene suecia en malí") for text in texts)


def test_a_new_training_folder_gives_a_new_model(tmp_path: Path) -> None:
    for lang, line in (("en", "- zork zork zork"), ("es", "- blorp blorp blorp")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "x.yml").write_text(f'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    {line}\n')
    assert classify("blorp", tmp_path) == "es"


@pytest.mark.parametrize("lang", LANGS)
def test_each_languages_held_out_sentences_are_told_as_that_language(lang: str) -> None:
    # An abstention keeps the conversation's language; a confident wrong guess would switch it.
    texts = [text for _, text in sentences(HELD_OUT / lang)]
    guesses = [classify(text) for text in texts]
    wrong = [text for text, guess in zip(texts, guesses) if guess not in (lang, None)]
    assert len(wrong) <= MAX_WRONG * len(texts), wrong[:10]
    assert guesses.count(lang) >= MIN_TOLD * len(texts)
