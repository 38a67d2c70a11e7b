"""The in-domain character n-gram classifier trained on the NLU data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.langid import TRAINING_DATA, classify, sentences


@pytest.mark.parametrize(
    "text,lang",
    [("que es la red nwm", "es"), ("cuantos policias", "es"), ("otan", "es"), ("what about the police", "en"), ("nuclear disarmement", "en")],
)
def test_in_domain_short_text_is_classified(text: str, lang: str) -> None:
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
