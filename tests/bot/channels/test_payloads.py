"""Forged slash payloads lose their power; our buttons' payloads keep it."""

from __future__ import annotations

import pytest
import yaml

from bot.channels.payloads import neutralise
from tests.conftest import LANGS, ROOT


def _button_payloads() -> list[str]:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    payloads = {b["payload"] for variants in responses.values() for v in variants for b in v.get("buttons", [])}
    # As sent, after Rasa's placeholder filling has undone the doubled braces.
    return sorted(p.replace("{{", "{").replace("}}", "}") for p in payloads)


@pytest.mark.parametrize("payload", _button_payloads())
def test_every_button_payload_passes(payload: str) -> None:
    assert neutralise(payload) == payload


@pytest.mark.parametrize(
    "forged,read_as",
    [
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/greet{"language":"xx"}', 'greet{"language":"xx"}'),
        ('/ask_deployments{"place": ["a", "b"]}', 'ask_deployments{"place": ["a", "b"]}'),
        ('/ask_deployments{"colour": "red"}', 'ask_deployments{"colour": "red"}'),
        ("/ask_nato{not json", "ask_nato{not json"),
        ("///", "?"),
    ],
)
def test_forged_payloads_are_read_as_words(forged: str, read_as: str) -> None:
    assert neutralise(forged) == read_as


@pytest.mark.parametrize("text", ["How many soldiers?", "¿y en Chipre?", "50/50 split", ""])
def test_ordinary_text_is_untouched(text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize("lang", LANGS)
def test_the_pages_language_switch_takes_the_locale_sent_with_it(lang: str) -> None:
    assert neutralise("/switch_language", lang) == '/switch_language{"language": "%s"}' % lang


@pytest.mark.parametrize("lang", LANGS)
def test_a_language_written_into_a_payload_counts_for_nothing(lang: str) -> None:
    other = "en" if lang == "es" else "es"
    # Only the locale decides a switch; anywhere else a language in the JSON makes the payload words.
    assert neutralise('/switch_language{"language": "%s"}' % other, lang) == '/switch_language{"language": "%s"}' % lang
    assert neutralise('/greet{"language": "%s"}' % lang) == 'greet{"language": "%s"}' % lang


def test_a_switch_without_a_locale_names_no_language() -> None:
    assert neutralise("/switch_language") == "/switch_language"
