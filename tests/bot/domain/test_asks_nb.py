"""How Norwegian questions are read: the kind of fact each asks for, and which texts give it."""

from __future__ import annotations

import pytest

from bot.domain import asks
from bot.domain.clauses import _CUT
from bot.domain.store import FactStore
from bot.domain.text import fold


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Når ble Norge med i NATO?", "date"),
        ("I hvilket år ble fredsavtalen med FARC inngått?", "date"),
        ("Kva tid starta fredsprosessen?", "date"),
        ("Siden når har Norge vært tilrettelegger i Colombia?", "date"),
        ("For hvor lenge siden ble MINUJUSTH lagt ned?", "date"),
        ("Hvor mange soldater hadde Norge i 2019?", "number"),
        ("Kor mange politifolk var det i Sør-Sudan?", "number"),
        ("Hva er antallet sivile rådgivere?", "number"),
        ("Hvem leder MINUSMA?", "person"),
        ("Hvem signerte fredsavtalen?", "person"),
        ("Kven leiar fredsprosessen?", "person"),
        ("Hva heter generalsekretæren?", "person"),
        ("Ble Norge valgt inn i Sikkerhetsrådet?", "result"),
        ("Vant Norge plassen?", "result"),
        ("Hva ble resultatet av avstemningen?", "result"),
        ("Hvordan gikk det med kandidaturet?", "result"),
        ("Vart Noreg vald?", "result"),
        ("Hvilke andre land ble valgt sammen med Norge?", "result"),
        ("Hvor stort er forsvarsbudsjettet?", "budget"),
        ("Hvor mye penger bruker Norge på FN-operasjoner?", "budget"),
        ("Hva koster MINUSMA?", "budget"),
        ("Er Norge fortsatt i Mali?", "current"),
        ("Finnes MINUJUSTH i dag?", "current"),
        ("Er MINUSMA framleis i drift?", "current"),
        ("Er operasjonen ikke lenger aktiv?", "current"),
        ("Hva oppnådde Norge i Sikkerhetsrådet?", "achievement"),
        ("Hva gjorde Norge i FNs sikkerhetsråd?", "achievement"),
        ("Hva drev Norge med i løpet av de to årene?", "achievement"),
        ("Hva fikk Norge til i løpet av perioden?", "achievement"),
        ("Kva gjorde Noreg i Tryggingsrådet?", "achievement"),
    ],
)
def test_a_norwegian_question_asks_for_its_kind_first(question: str, kind: str) -> None:
    assert asks.asked(question)[0] == kind


@pytest.mark.parametrize(
    "question",
    [
        "Hva betyr NATO for Norge?",
        "Hvorfor har Norge valgt å delta i NATO?",
        "Hva er Norges rolle i fredsprosessen?",
    ],
)
def test_a_norwegian_question_about_a_topic_asks_for_no_kind(question: str) -> None:
    assert asks.asked(question) == []


def test_a_figure_that_comes_at_last_is_no_achievement() -> None:
    assert "achievement" not in asks.asked("Hvor mange stemmer fikk Norge til slutt?")


def _nb(store: FactStore, fact_id: str) -> str:
    text = store.get(fact_id).text
    assert text is not None
    return text["nb"]


@pytest.mark.parametrize(
    ("fact_id", "kind"),
    [
        ("military", "number"),
        ("security_council_elected", "date"),
        ("security_council_elected", "result"),
        ("security_council_elected", "current"),
        ("security_council_contest", "result"),
        ("farc_agreement", "result"),
        ("minujusth_closed", "current"),
        ("security_council_term_ended", "current"),
    ],
)
def test_a_norwegian_text_gives_its_kind(store: FactStore, fact_id: str, kind: str) -> None:
    assert asks.gives(kind, [_nb(store, fact_id)])


@pytest.mark.parametrize(
    ("fact_id", "kind"),
    [
        # "I 2019 ..." dates the snapshot, not the deployment.
        ("minusma", "date"),
        ("minusma", "number"),
        # A day ("30. juni") and a resolution's number are no counts.
        ("minusma_closed", "number"),
        ("minusma", "person"),
        ("security_council", "result"),
        ("deployments", "budget"),
        ("deployments", "current"),
        # What Norway did during its term is exactly what the text says it cannot tell.
        ("security_council_term_ended", "achievement"),
        ("nato_ties", "result"),
    ],
)
def test_a_norwegian_text_does_not_give_what_it_lacks(store: FactStore, fact_id: str, kind: str) -> None:
    assert not asks.gives(kind, [_nb(store, fact_id)])


def test_a_norwegian_question_the_store_cannot_answer_says_what_it_lacks(store: FactStore) -> None:
    assert asks.lacking("Når ble MINUSMA opprettet?", [_nb(store, "minusma")]) == "date"
    assert asks.lacking("Er Norge fortsatt i Mali?", [_nb(store, "minusma")]) == "current"
    assert asks.lacking("Er Norge fortsatt i Mali?", [_nb(store, "minusma"), _nb(store, "minusma_closed")]) is None


@pytest.mark.parametrize(
    "question",
    ["Hvem leder den?", "Og hva med Mali?", "Er de fortsatt der?", "Hvor mange var det?", "Enn politiet?"],
)
def test_a_short_norwegian_question_pointing_back_is_a_follow_up(question: str) -> None:
    assert asks.follow_up(question)


def test_norwegian_figures() -> None:
    assert asks.about_figures("Er tallene fra 2019?")
    assert asks.about_figures("Er personelltallene oppdaterte?")
    assert not asks.about_figures("Hva betyr NATO for Norge?")


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "Hvor mange soldater har Norge i FN-operasjoner og hva betyr NATO for Norge?",
            ["hvor mange soldater har norge i fn-operasjoner", "hva betyr nato for norge?"],
        ),
        ("Hvem leder MINUSMA, og kor mange er i Mali?", ["hvem leder minusma", "kor mange er i mali?"]),
        ("Norge og Irland vant plassene", ["norge og irland vant plassene"]),
    ],
)
def test_a_norwegian_message_is_cut_where_a_second_question_starts(message: str, parts: list[str]) -> None:
    assert _CUT.split(fold(message)) == parts
