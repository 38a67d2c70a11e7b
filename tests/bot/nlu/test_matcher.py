"""spaCy's PhraseMatcher over the fact store's names, beside the CRF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from bot.nlu.matcher import StoreNames, merged, store_norms
from bot.domain.store import FACTS_DIR, FactStore, load_store
from tests.servers import start_assistant


@pytest.fixture(scope="module")
def names() -> StoreNames:
    from bot.domain.store import default_store

    return StoreNames(default_store())


def _found(names: StoreNames, text: str) -> list[tuple[str, str, str]]:
    return [(m["entity"], m["value"], text[m["start"] : m["end"]]) for m in names.find(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("¿y en HAITI?", ("place", "haiti", "HAITI")),
        ("sudan del sur", ("place", "south_sudan", "sudan del sur")),
        ("what about the U.N.?", ("organisation", "un", "U.N.")),
        ("la OTAN", ("organisation", "nato", "OTAN")),
        ("the FARC-EP", ("organisation", "farc_ep", "FARC-EP")),
        ("soldados de Nueva Zelanda", ("place", "Nueva Zelanda", "Nueva Zelanda")),
    ],
)
def test_names_are_found_folded_and_without_their_article(names: StoreNames, text: str, expected) -> None:
    assert expected in _found(names, text)


@pytest.mark.parametrize("text", ["", "   ", "👍", "qwerty"])
def test_text_without_names_finds_nothing(names: StoreNames, text: str) -> None:
    assert names.find(text) == []


def test_a_name_cut_in_two_by_the_crf_is_mended_with_its_role(names: StoreNames) -> None:
    text = "¿cuántos soldados ha mandado el Reino Unido a la MINUSMA?"
    crf = [
        {"entity": "place", "value": "Reino", "start": 32, "end": 37},
        {"entity": "place", "value": "Unido", "start": 38, "end": 43, "role": "sender"},
    ]
    places = [e for e in merged(crf, names.find(text)) if e["entity"] == "place"]
    assert places == [{**places[0], "value": "Reino Unido", "start": 32, "end": 43, "role": "sender"}]


def test_a_name_the_crf_cut_into_pieces_of_other_kinds_is_mended(names: StoreNames) -> None:
    text = "what is the UN mission in Colombia"
    crf = [
        {"entity": "organisation", "value": "un", "start": 12, "end": 14},
        {"entity": "mission", "value": "mission", "start": 15, "end": 22},
        {"entity": "place", "value": "colombia", "start": 26, "end": 34},
    ]
    assert [(e["entity"], e["value"]) for e in merged(crf, names.find(text))] == [("mission", "unmc")]


def test_pieces_of_a_name_none_of_its_kind_are_left_as_the_crf_tagged_them(names: StoreNames) -> None:
    text = "what is the UN mission in Colombia"
    crf = [{"entity": "organisation", "value": "un", "start": 12, "end": 14},
           {"entity": "place", "value": "colombia", "start": 26, "end": 34}]
    assert merged(crf, names.find(text)) == crf


def test_a_trained_name_never_overrides_the_crf(names: StoreNames) -> None:
    # The CRF left "onu" alone in "misiones de la onu", as the training data does.
    trained = StoreNames(load_store(), store_norms(load_store()))
    assert [e for e in merged([], trained.find("misiones de la onu"))] == []


def _store_with_alias(tmp_path: Path, alias: str) -> Path:
    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)
    places = facts / "places.yml"
    text = places.read_text(encoding="utf-8")
    places.write_text(text.replace("aliases: {en: [Cyprus], es: [Chipre], nb: [Kypros]}", f"aliases: {{en: [Cyprus, {alias}], es: [Chipre], nb: [Kypros]}}"))
    return facts


def test_a_new_alias_in_the_store_is_matched_without_retraining(tmp_path: Path) -> None:
    store: FactStore = load_store(_store_with_alias(tmp_path, "Chypre"))
    matcher = StoreNames(store, store_norms(load_store()))
    assert merged([], matcher.find("how many norwegian police are in chypre?"))[0]["value"] == "cyprus"


@pytest.mark.servers
def test_a_running_assistant_recognises_an_alias_added_to_its_store(tmp_path: Path) -> None:
    assistant = start_assistant("new-alias", extra_env={"FACTS_DIR": str(_store_with_alias(tmp_path, "Chypre"))})
    try:
        body = {"sender": "new-alias-visitor", "message": "how many norwegian police officers are in Chypre?"}
        reply = " ".join(m.get("text", "") for m in requests.post(assistant.rest_url, json=body, timeout=60).json())
    finally:
        assistant.stop()
    assert "UNFICYP" in reply and "Chypre" not in reply
