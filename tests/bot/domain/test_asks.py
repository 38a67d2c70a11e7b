"""Which kind of fact a question asks for, and whether a text gives it."""

from __future__ import annotations

import pytest

from bot.domain.asks import asked, follow_up, gives, lacking


@pytest.mark.parametrize(
    "question,kind",
    [
        ("When did Norway join NATO?", "date"),
        ("¿En qué año entró Noruega en la OTAN?", "date"),
        ("How many votes did Norway get?", "number"),
        ("¿cuantos policias hay en chipre?", "number"),
        ("Who is the foreign minister?", "person"),
        ("¿Quién dirige la misión?", "person"),
        ("Did Norway win the seat?", "result"),
        ("¿Cuál fue el resultado?", "result"),
        ("What is Norway's defence budget?", "budget"),
        ("What did Norway achieve on the Security Council?", "achievement"),
        ("¿Qué logros tuvo Noruega durante su mandato?", "achievement"),
        ("What did Norway get done over those two years?", "achievement"),
        ("¿Qué ha conseguido Noruega durante estos dos años?", "achievement"),
        ("Does Norway still facilitate the ELN talks?", "current"),
        ("¿Noruega sigue siendo facilitador?", "current"),
        ("¿Cuánto gasta Noruega en defensa?", "budget"),
    ],
)
def test_the_kind_a_question_asks_for_comes_first(question: str, kind: str) -> None:
    assert asked(question)[0] == kind


@pytest.mark.parametrize("question", ["Tell me about NATO", "¿qué hace noruega por la paz?", "who are norway's allies?"])
def test_a_plain_question_asks_for_no_kind(question: str) -> None:
    assert asked(question) == []


@pytest.mark.parametrize(
    "question",
    [
        "What does Norway want when it comes to disarmament?",
        "¿Qué busca Noruega cuando se trata de desarme?",
        "En cuanto a la OTAN, ¿qué dice la fuente?",
        "Hva vil Norge når det gjelder nedrustning?",
        "Kva vil Noreg når det gjeld nedrusting?",
    ],
)
def test_as_for_asks_for_no_date_nor_number(question: str) -> None:
    # "When it comes to", "cuando se trata de", "en cuanto a", "når det gjelder" mean "as for".
    assert asked(question) == []


@pytest.mark.parametrize("question", ["When was the network founded?", "¿Cuándo se fundó la red?", "Når ble nettverket grunnlagt?"])
def test_when_alone_still_asks_for_a_date(question: str) -> None:
    assert asked(question) == ["date"]


@pytest.mark.parametrize(
    "kind,text,expected",
    [
        ("date", "The network was launched in 2015.", True),
        ("date", "La red se lanzó en 2015.", True),
        ("date", "Norway's membership of NATO is the cornerstone.", False),
        ("number", "about 45 military personnel", True),
        ("number", "Norway's five aims are", True),
        ("number", "launched in 2015", False),
        # A closure's day and a resolution's number are no count of anything.
        ("number", "Since then, MINUSMA has closed: on 30 June 2023 the Council ended its mandate (resolution 2690).", False),
        ("number", "el 30 de junio de 2023 (resolución 2690)", False),
        # A term's period dates the term, not what the question asks to date.
        ("date", "In 2019, that is why it was seeking a seat for the period 2021-2022.", False),
        ("current", "Since then, the bid has succeeded.", True),
        ("current", "En 2019, Noruega era facilitador oficial.", False),
        ("number", "La fuente no indica cuántos son.", False),
        ("result", "Norway was elected with 130 votes.", True),
        ("result", "Noruega fue elegida con 130 votos.", True),
        ("result", "it is seeking a seat", False),
        ("budget", "NOK 2 billion", True),
        ("person", "Norway participates actively in the UN.", False),
    ],
)
def test_whether_a_text_gives_a_kind(kind: str, text: str, expected: bool) -> None:
    assert gives(kind, [text]) is expected


def test_the_most_specific_kind_decides() -> None:
    assert lacking("How many votes did Norway get, and did it win?", ["Norway was elected with 130 votes."]) is None
    assert lacking("How much does Norway spend on UN missions?", ["about 45 military personnel"]) == "budget"
    assert lacking("When did Norway join NATO?", ["NATO is the cornerstone."]) == "date"
    assert lacking("Tell me about NATO", ["NATO is the cornerstone."]) is None


def test_the_snapshot_year_is_no_date_of_the_event() -> None:
    assert not gives("date", ["In 2019, Norwegian civilian advisers worked for MONUSCO."])
    assert not gives("date", ["En 2019, asesores civiles noruegos trabajaban para la MONUSCO."])
    assert gives("date", ["In 2019, about 30 police officers served. MINUJUSTH closed on 15 October 2019."])


def test_a_figure_asked_for_today_lacks_today_unless_an_update_tells_it() -> None:
    assert lacking("How many soldiers are there today?", ["In 2019, about 45 military personnel served."]) == "current"
    assert lacking("¿Cuántos soldados hay hoy?", ["En 2019, alrededor de 45 militares.", "Desde entonces, la MINUSMA ha concluido."]) is None



@pytest.mark.parametrize(
    "question,expected",
    [
        ("is it still running?", True), ("and the year?", True), ("¿y quién la dirige?", True), ("who else?", True),
        ("tell me a joke", False), ("cuéntame un chiste", False),
        ("What is the capital of France and how big is its population?", False),
    ],
)
def test_a_follow_up_is_short_and_points_back(question: str, expected: bool) -> None:
    assert follow_up(question) is expected


@pytest.mark.parametrize(
    "question,expected",
    [
        ("is it still running?", True), ("¿sigue funcionando?", False), ("¿y sigue abierta esa misión?", True),
        ("er den fortsatt i gang?", True), ("what's the weather today?", False), ("hvordan blir været i dag?", False),
    ],
)
def test_when_the_classifier_is_sure_of_small_talk_a_follow_up_must_point_back_and_ask(question: str, expected: bool) -> None:
    assert follow_up(question, strict=True) is expected


# Sides described as not yet negotiating, and the same "yet" asking whether a fact still holds.
NOT_YET = {
    "en": ("did norway help parties that weren't yet negotiating?", "has that mission not closed yet?"),
    "es": ("¿ayudó noruega a partes que aún no negociaban?", "¿todavía no ha cerrado esa misión?"),
    "nb": ("hjalp Norge parter som ennå ikke forhandlet?", "er ikke den misjonen avsluttet ennå?"),
}


@pytest.mark.parametrize("lang", ["en", "es", "nb"])
def test_what_a_question_describes_as_not_yet_so_asks_nothing_current(lang: str) -> None:
    described, asking = NOT_YET[lang]
    assert "current" not in asked(described)
    assert asked(asking)[:1] == ["current"]


@pytest.mark.parametrize(
    "question",
    ["what share of GDP goes to defence?", "¿qué parte del PIB dedica noruega a defensa?",
     "hvor stor andel av BNP går til forsvaret?"],
)
def test_a_share_of_the_economy_asks_for_a_budget(question: str) -> None:
    assert asked(question)[0] == "budget"


@pytest.mark.parametrize(
    "question",
    ["the discreet talks, what countries were they between?", "¿entre qué países fueron las conversaciones discretas?",
     "de diskrete samtalene, hvilke land var de mellom?"],
)
def test_between_which_sides_asks_for_the_parties(question: str) -> None:
    assert asked(question)[0] == "parties"
