"""The fact store: loading, validation errors, lookups by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.domain.language import LANGUAGES
from bot.domain.store import FACTS_DIR, FactStore, FactStoreError, load_store


def test_store_loads_and_covers_the_source_page(store: FactStore) -> None:
    ids = {fact.id for fact in store}
    required = {
        "challenges", "aims", "actions", "nato_ties", "un_order", "security_council", "peace",
        "disarmament", "women_peace", "development", "deployments",
        "un", "nato", "osce", "council_of_europe", "eu", "nordic_women_mediators",
        "farc_agreement", "eln_process", "ndfp_process", "discreet_talks",
        "military", "police", "civilian",
        "minusma", "unmiss", "untso", "unficyp", "minujusth", "unmc", "monusco",
    }
    assert required <= ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_record_has_name_and_text_in_both_languages(store: FactStore, lang: str) -> None:
    for fact in store:
        assert fact.name[lang].strip(), fact.id
        if fact.text is not None:
            assert fact.text[lang].strip(), fact.id


def test_every_answerable_record_names_its_source_and_date(store: FactStore) -> None:
    for fact in store:
        if fact.text is not None:
            assert fact.source is not None and fact.source.url and fact.source.as_of, fact.id


def test_the_closed_missions_have_dated_updates_with_sources_of_their_own(store: FactStore) -> None:
    closures = {update.about: update for update in store.of_kind("update") if update.about in ("minusma", "minujusth")}
    assert set(closures) == {"minusma", "minujusth"}
    minusma, minujusth = closures["minusma"].source, closures["minujusth"].source
    assert (minusma.as_of, minusma.url) == ("2023-06-30", "https://press.un.org/en/2023/sc15341.doc.htm")
    assert dict(minusma.date) == {"en": "30 June 2023", "es": "30 de junio de 2023", "nb": "30. juni 2023"}
    assert minujusth.as_of == "2019-10-15" and minujusth.url.startswith("https://reliefweb.int/")
    for update in closures.values():
        assert update.source.id != store.get(update.about).source.id
        assert "31 December 2023" in update.text["en"] or "15 October 2019" in update.text["en"]


@pytest.mark.parametrize("about,mentioning", [
    ("minusma", {"minusma", "military", "deployments"}),
    ("minujusth", {"minujusth", "police", "deployments"}),
    # The bid is named in the actions' list and the UN topic too (`mentions`).
    ("security_council", {"security_council", "actions", "un_order"}),
])
def test_an_update_concerns_its_record_and_every_text_naming_it(store: FactStore, about: str, mentioning: set) -> None:
    concerned = {f.id for f in store if f.text is not None and f.kind != "update"
                 and any(u.about == about for u in store.updates_for([f]))}
    assert concerned == mentioning


def test_numbered_lists_keep_one_item_a_line(store: FactStore) -> None:
    for topic in ("aims", "actions"):
        for lang in LANGUAGES:
            lines = store.get(topic).text[lang].split("\n")
            assert [line.split(".")[0] for line in lines[1:]] == ["1", "2", "3", "4", "5"], (topic, lang)
    # Prose written over several lines in YAML is one paragraph.
    assert "\n" not in store.get("challenges").text["en"]


def test_deployment_figures_match_the_page(store: FactStore) -> None:
    assert store.get("military").count == 45 and store.get("military").approximate
    assert store.get("police").count == 30 and store.get("police").approximate
    assert store.get("civilian").count is None
    assert [m.id for m in store.missions_with("military")] == ["minusma", "unmiss", "untso"]
    assert [m.id for m in store.missions_with("police")] == ["unmiss", "unficyp", "minujusth", "unmc"]


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("place", "Sudán del Sur", "south_sudan"),
        ("place", "sudan del sur", "south_sudan"),
        ("place", "Haití", "haiti"),
        ("place", "RDC", "dr_congo"),
        ("place", "Oriente Medio", "middle_east"),
        ("organisation", "OTAN", "nato"),
        ("organisation", "la ONU", "un"),
        ("mission", "minusma", "minusma"),
        ("personnel", "soldados", "military"),
        ("personnel", "policia", "police"),
        ("place", "Sør-Sudan", "south_sudan"),
        ("place", "sor-sudan", "south_sudan"),
        ("place", "Kypros", "cyprus"),
        ("organisation", "FN", "un"),
        ("personnel", "blåhjelmer", "military"),
        ("personnel", "politifolk", "police"),
    ],
)
def test_resolve_folds_case_accents_and_articles(store: FactStore, kind: str, value: str, expected: str) -> None:
    fact = store.resolve(kind, value)
    assert fact is not None and fact.id == expected


# Everyday names visitors use, per language: the records they stand for.
_EVERYDAY_NAMES = {
    "en": [("personnel", "blue helmets", "military"), ("personnel", "cops", "police"),
           ("organisation", "Filipino communists", "ndfp"), ("organisation", "Atlantic Alliance", "nato")],
    "es": [("personnel", "cascos azules", "military"), ("personnel", "agentes policiales", "police"),
           ("organisation", "comunistas filipinos", "ndfp"), ("organisation", "Alianza Atlántica", "nato")],
    "nb": [("personnel", "blåhjelmer", "military"), ("personnel", "purken", "police"),
           ("organisation", "filippinske kommunister", "ndfp"), ("organisation", "Atlanterhavsalliansen", "nato")],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_everyday_names_resolve_to_their_records(store: FactStore, lang: str) -> None:
    assert [(kind, store.resolve(kind, name).id) for kind, name, _ in _EVERYDAY_NAMES[lang]] == [
        (kind, record) for kind, _, record in _EVERYDAY_NAMES[lang]
    ]


@pytest.mark.parametrize("lang,country", [("en", "Lebanon"), ("es", "Líbano"), ("nb", "Libanon")])
def test_a_region_holds_countries_that_are_no_names_of_its_own(store: FactStore, lang: str, country: str) -> None:
    assert country in store.get("middle_east").holds[lang]
    assert store.resolve("place", country) is None


def test_unknown_names_resolve_to_nothing(store: FactStore) -> None:
    assert store.resolve("place", "Sweden") is None
    assert store.resolve("mission", "UNIFIL") is None
    # A name of one kind does not resolve as another.
    assert store.resolve("mission", "Mali") is None


# --- broken stores must fail loudly, naming the file and the record ---------------


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    target = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copy_of_the_store_loads(facts_copy: Path) -> None:
    assert len(load_store(facts_copy)) > 30


def test_a_topic_takes_the_files_action_unless_it_names_its_own(store: FactStore) -> None:
    actions = {topic.id: topic.action for topic in store.of_kind("topic")}
    assert actions["deployments"] == "action_answer_deployments"
    assert {actions[t] for t in actions if t != "deployments"} == {"action_answer_topic"}


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "topics.yml",
            "      es: Desarme\n",
            "",
            "topics.yml, record 'disarmament': 'name' has no es translation",
        ),
        (
            "missions.yml",
            "    place: haiti\n",
            "    place: atlantis\n",
            "missions.yml, record 'minujusth': 'place' points at unknown record 'atlantis'",
        ),
        (
            "missions.yml",
            "personnel: [civilian]",
            "personnel: [cooks]",
            "missions.yml, record 'monusco': 'personnel' points at unknown record 'cooks'",
        ),
        (
            "places.yml",
            "aliases: {en: [Cyprus], es: [Chipre], nb: [Kypros]}",
            "aliases: {en: [Cyprus, Mali], es: [Chipre], nb: [Kypros]}",
            "places.yml, record 'cyprus': alias 'mali' is already used by 'mali'",
        ),
        (
            "personnel.yml",
            "    count: 45\n",
            "    count: many\n",
            "personnel.yml, record 'military': 'count' must be a whole number or null",
        ),
        (
            "processes.yml",
            "  - id: discreet_talks\n",
            "  - id: eln_process\n",
            "processes.yml, record 'eln_process': duplicate id",
        ),
        (
            "topics.yml",
            "    intent: ask_aims\n",
            "    intent: ask_aims\n    colour: blue\n",
            "topics.yml, record 'aims': unknown fields ['colour']",
        ),
        (
            "topics.yml",
            "action: action_answer_topic\n",
            "",
            "topics.yml, record 'challenges': a topic needs the 'intent' that asks for it and the 'action' that answers it",
        ),
        (
            "topics.yml",
            "    intent: ask_peace\n",
            "    intent: ask_aims\n",
            "topics.yml, record 'peace': intent 'ask_aims' already asks for 'aims'",
        ),
        (
            "topics.yml",
            "    by_place: process\n",
            "    by_place: villages\n",
            "topics.yml, record 'peace': 'by_place' must be a kind of record",
        ),
        (
            "sources.yml",
            "kind: source",
            "kind: [unbalanced",
            "sources.yml: is not valid YAML",
        ),
        (
            "sources.yml",
            "    date: {en: 30 June 2023, es: 30 de junio de 2023, nb: 30. juni 2023}\n",
            "",
            "sources.yml, record 'un_sc15341': a source dated to the day needs 'date'",
        ),
        (
            "sources.yml",
            'as_of: "2023-06-30"',
            "as_of: June 2023",
            "sources.yml, record 'un_sc15341': 'as_of' must be a year (2019) or a day (2023-06-30)",
        ),
        (
            "updates.yml",
            "    about: minusma\n",
            "    about: minurso\n",
            "updates.yml, record 'minusma_closed': 'about' points at unknown record 'minurso'",
        ),
        (
            "updates.yml",
            "    source: un_sc15341\n",
            "",
            "updates.yml, record 'minusma_closed': has a 'text' but names no 'source'",
        ),
        # Time: a time-bound text told in the present, without its date, is refused.
        (
            "processes.yml",
            "en: In 2019, Norway was an official facilitator in the peace process with the ELN",
            "en: Norway is an official facilitator in the peace process with the ELN",
            "processes.yml, record 'eln_process': is 'time_bound' but its en text never says 'In 2019,'",
        ),
        (
            "topics.yml",
            "        En 2019, Noruega buscaba un puesto",
            "        Noruega busca un puesto",
            "topics.yml, record 'security_council': is 'time_bound' but its es text never says 'En 2019,'",
        ),
        # The date only in the middle of a sentence is not the sentence's date.
        (
            "missions.yml",
            "en: In 2019, Norwegian police officers served in UNFICYP",
            "en: Norwegian police officers served in 2019 in UNFICYP",
            "missions.yml, record 'unficyp': is 'time_bound' but its en text never says 'In 2019,'",
        ),
        # No text may say "now", time-bound or not: it cannot know when it is read.
        (
            "topics.yml",
            "This is in line with Norway's values",
            "This is now in line with Norway's values",
            "topics.yml, record 'disarmament': its en text says 'now', which cannot know when it is read",
        ),
        (
            "topics.yml",
            "Noruega promueve un desarme nuclear",
            "Noruega promueve actualmente un desarme nuclear",
            "topics.yml, record 'disarmament': its es text says 'actualmente'",
        ),
        (
            "topics.yml",
            "    time_bound: true\n    name:\n      en: Security challenges",
            "    time_bound: maybe\n    name:\n      en: Security challenges",
            "topics.yml, record 'challenges': 'time_bound' must be true or false",
        ),
        # An approximate count given without "about", in its own text or another of its source.
        (
            "personnel.yml",
            "In 2019, Norway had about 45 military personnel",
            "In 2019, Norway had 45 military personnel",
            "personnel.yml, record 'military': gives the approximate count 45 of 'military' without 'about' in its en text",
        ),
        (
            "topics.yml",
            "y alrededor de 30 agentes de policía en misiones",
            "y 30 agentes de policía en misiones",
            "topics.yml, record 'deployments': gives the approximate count 30 of 'police' without 'alrededor de' in its es text",
        ),
        (
            "personnel.yml",
            "    count: null\n",
            "    count: null\n    approximate: true\n",
            "personnel.yml, record 'civilian': is 'approximate' but has no 'count'",
        ),
        (
            "places.yml",
            "    holds:\n      en: [Lebanon,",
            "    holds:\n      fr: [Liban]\n      en: [Lebanon,",
            "places.yml, record 'middle_east': 'holds' must map languages",
        ),
        (
            "topics.yml",
            "    mentions: [security_council]\n    name:\n      en: What Norway does",
            "    mentions: [security_councel]\n    name:\n      en: What Norway does",
            "topics.yml, record 'actions': 'mentions' points at unknown record 'security_councel'",
        ),
    ],
)
def test_a_broken_store_is_refused_with_file_and_record(
    facts_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    _replace(facts_copy / file, old, new)
    with pytest.raises(FactStoreError) as raised:
        load_store(facts_copy)
    assert message in str(raised.value)


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FactStoreError, match="holds no fact files"):
        load_store(tmp_path)


# Statements whose truth depends on the date, in every text the store holds on them (issue: truth in time).
_TIME_BOUND = {
    "security_council", "actions", "un_order", "eln_process", "ndfp_process", "discreet_talks", "peace",
    "women_peace", "development", "deployments", "military", "police", "civilian",
    "minusma", "unmiss", "untso", "unficyp", "minujusth", "unmc", "monusco", "osce", "council_of_europe", "eu",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_time_bound_statements_are_marked_and_told_as_of_2019(store: FactStore, lang: str) -> None:
    marked = {fact.id for fact in store if fact.time_bound}
    assert _TIME_BOUND <= marked
    dated = {"en": "In 2019, ", "es": "En 2019, ", "nb": "I 2019 "}[lang]
    for record in marked:
        assert dated in store.get(record).text[lang] or store.get(record).text[lang].startswith(dated), record


def test_lasting_policy_may_stay_in_the_present(store: FactStore) -> None:
    assert not store.get("aims").time_bound and not store.get("disarmament").time_bound
