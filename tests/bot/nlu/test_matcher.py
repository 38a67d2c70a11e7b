"""spaCy's PhraseMatcher over the fact store's names, beside the CRF."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    "text,expected",
    [
        ("how many polcie officers serve abroad", ("personnel", "police", "polcie officers")),
        ("soldaods noruegos en misiones", ("personnel", "military", "soldaods")),
        ("hvor mange soldtaer var i fn", ("personnel", "military", "soldtaer")),
        ("what is minsuma", ("mission", "minusma", "minsuma")),
    ],
)
def test_a_store_name_typed_with_one_slip_is_found_and_may_be_added(names: StoreNames, text: str, expected) -> None:
    trained = StoreNames(load_store(), store_norms(load_store()))
    assert expected in _found(trained, text)
    # The CRF was trained with the name, never with the slip: the match stands where it tagged nothing.
    assert merged([], trained.find(text))


@pytest.mark.parametrize(
    "text",
    [
        "what is norway's policy",  # "policy" is no slip for "police": the last letter differs
        "norge styrket samarbeidet",  # nor "styrket" for "styrker"
        "one troop",  # nor a word the store's word only lengthens
        "hvad er norges politik",
        "mali male",  # too short to read a slip in
    ],
)
def test_words_that_differ_at_their_ends_or_are_short_are_no_slips(names: StoreNames, text: str) -> None:
    assert not [m for m in names.find(text) if m["entity"] == "personnel" or text[m["start"] : m["end"]] == "male"]


def test_a_word_of_the_training_data_is_no_slip() -> None:
    store = load_store()
    assert StoreNames(store).find("polise")
    assert not StoreNames(store, words={"polise"}).find("polise")


@pytest.mark.parametrize("text,name", [
    ("did norwegians serve in the un mission in colombia?", "un mission in colombia"),
    ("¿había noruegos en la misión de la onu en colombia?", "misión de la onu en colombia"),
    ("var det nordmenn i fn-operasjonen i colombia?", "fn-operasjonen i colombia"),
])
def test_a_store_name_the_crf_cut_into_pieces_of_other_kinds_is_the_whole(names: StoreNames, text: str, name: str) -> None:
    start = text.index(name)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", name)]
    # The CRF's pieces: the first word as a mission or organisation, the last (the place) as a place.
    first, last = words[0], words[-1]
    crf = [
        {"entity": "organisation", "value": name[first[0]:first[1]], "start": start + first[0], "end": start + first[1]},
        {"entity": "place", "value": "colombia", "start": start + last[0], "end": start + last[1], "role": "sender"},
    ]
    mended = merged(crf, names.find(text))
    assert [(e["entity"], e["value"]) for e in mended] == [("mission", "unmc")]
    assert "role" not in mended[0]


def test_another_countrys_name_mends_only_pieces_of_its_own_kind() -> None:
    trained = StoreNames(load_store(), store_norms(load_store()))
    text = "soldados de Nueva Zelanda"
    crf = [
        {"entity": "personnel", "value": "Nueva", "start": 12, "end": 17},
        {"entity": "place", "value": "Zelanda", "start": 18, "end": 25},
    ]
    assert merged(crf, trained.find(text)) == crf


@pytest.mark.parametrize("text,name,record", [
    ("what about the NATO-led missions?", "NATO-led", "nato"),
    ("¿y las negociaciones ONU-Colombia?", "ONU-Colombia", "un"),
    ("hva med ELN-forhandlingene?", "ELN-forhandlingene", "eln"),
])
def test_a_compound_the_store_lacks_on_a_name_it_holds_is_that_name(text: str, name: str, record: str) -> None:
    trained = StoreNames(load_store(), store_norms(load_store()))
    start = text.index(name)
    crf = [{"entity": "organisation", "value": name, "start": start, "end": start + len(name), "role": "x"}]
    mended = merged(crf, trained.find(text), frozenset(trained.kinds))
    assert [(e["entity"], e["value"], e.get("role")) for e in mended] == [("organisation", record, "x")]


def test_a_name_the_store_knows_is_left_as_the_crf_tagged_it() -> None:
    trained = StoreNames(load_store(), store_norms(load_store()))
    text = "ELN-geriljaen"
    crf = [{"entity": "organisation", "value": "eln", "start": 0, "end": len(text)}]
    assert merged(crf, trained.find(text), frozenset(trained.kinds)) == crf


def test_an_alias_added_since_training_takes_the_place_of_the_crfs_unknown_name(tmp_path: Path) -> None:
    store: FactStore = load_store(_store_with_alias(tmp_path, "Chypre"))
    matcher = StoreNames(store, store_norms(load_store()))
    text = "police in chypre"
    crf = [{"entity": "place", "value": "chypre", "start": 10, "end": 16}]
    assert [e["value"] for e in merged(crf, matcher.find(text), frozenset(matcher.kinds))] == ["cyprus"]
