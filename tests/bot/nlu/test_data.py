"""Lookups and synonyms are generated from the store and kept in step with it."""

from __future__ import annotations

from bot.nlu import data as nlu_data
from bot.domain.store import FactStore
from tests.conftest import ROOT


def test_committed_lookups_match_the_store(store: FactStore) -> None:
    committed = (ROOT / nlu_data.LOOKUPS_FILE).read_text(encoding="utf-8")
    assert committed == nlu_data.render(store), "run `python -m bot nlu export`"


def test_every_alias_becomes_a_synonym_with_its_folded_form(store: FactStore) -> None:
    synonyms = {
        item["synonym"]: item["examples"].splitlines()
        for item in nlu_data.nlu_document(store)["nlu"]
        if "synonym" in item
    }
    assert "- Sudán del Sur" in synonyms["south_sudan"]
    assert "- sudan del sur" in synonyms["south_sudan"]
    assert "- OTAN" in synonyms["nato"]
    assert "- espanol" in synonyms["es"]
