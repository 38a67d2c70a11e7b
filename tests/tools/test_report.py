"""`make report`: unanswered questions, volumes and ratings, from synthetic turns and from real conversations."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import MODEL
from bot.runtime.settings import Settings
from bot.runtime.privacy import open_store
from tests.conftest import LANGS
from tools.report.__main__ import main
from tools.report.analysis import build, category, group
from tools.report.page import coverage, render
from tools.review.examples import append
from tools.store import Event
from tools.turns import Turn, read_turns

QUESTIONS = {
    "en": ("How many soldiers does Norway have in UN missions?", "what is the weather in Oslo today"),
    "es": ("¿Cuántos soldados tiene Noruega en misiones de la ONU?", "qué tiempo hace hoy en Oslo"),
    "nb": ("Hvor mange soldater har Norge i FN-operasjoner?", "hvordan blir været i Oslo i dag"),
}


def _turn(text: str, intent: str = "ask_deployments", sender: str = "a", lang: str = "en", **values) -> Turn:
    values.setdefault("confidence", 0.9)
    return Turn(sender=sender, session=1, timestamp=values.pop("timestamp", 1_700_000_000.0), text=text,
                intent=intent, language=lang, **values)


@pytest.mark.parametrize("lang", LANGS)
def test_each_unanswered_kind_has_its_category(lang: str) -> None:
    answered, other = QUESTIONS[lang]
    assert category(_turn(answered, facts=["military"], lang=lang)) is None
    assert category(_turn(answered, facts=["military"], confidence=0.4, lang=lang)) == "low_confidence"
    assert category(_turn(other, intent="out_of_scope", lang=lang)) == "out_of_scope"
    assert category(_turn(other, intent="nlu_fallback", lang=lang)) == "fallback"
    assert category(_turn(other, unknown_names=["Francia"], lang=lang)) == "unknown_name"


@pytest.mark.parametrize("lang", LANGS)
def test_volume_share_answered_and_names_counted(lang: str) -> None:
    answered, other = QUESTIONS[lang]
    turns = [
        _turn("hola" if lang == "es" else "hello", intent="greet", lang=lang),
        _turn(answered, facts=["military"], lang=lang),
        _turn("¿y en Francia?", sender="b", unknown_names=["Francia"], lang=lang),
        _turn("and in France?", sender="c", unknown_names=["France"], lang=lang, timestamp=1_700_100_000.0),
        _turn("¿y en francia?", sender="d", unknown_names=["francia"], lang=lang, timestamp=1_700_100_000.0),
        _turn("hello", intent="greet", sender="warmup-1-5005"),
    ]
    report = build(turns)
    assert (report.conversations, report.messages, report.questions, report.answered) == (4, 5, 4, 1)
    assert report.share_answered == 0.25
    # One name however it is written, shown as most often written.
    assert report.unknown_names == {"Francia": 2, "France": 1}
    assert [sum(c.values()) for _, c in sorted(report.messages_per_day.items())] == [3, 2]
    assert report.questions_per_language == {lang: 4}


def test_similar_questions_are_grouped_and_counted() -> None:
    turns = [
        _turn("what is the weather in Oslo today"),
        _turn("What is the weather in Oslo today?"),
        _turn("weather in Oslo today please"),
        _turn("who won the football match"),
    ]
    groups = group(turns)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].label.startswith("what is the weather in Oslo today")
    assert len(groups[0].variants) == 2


def test_the_page_is_self_contained_and_escapes_what_visitors_typed() -> None:
    hostile = '<script>alert("x")</script><img src=http://example.com/x.png>'
    report = build([_turn(hostile, intent="out_of_scope"), _turn("NATO?", facts=["nato"], intent="ask_nato")])
    now = datetime.now(timezone.utc)
    page = render(report, now, coverage(report, now, 30))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    # Nothing to fetch: no script, no stylesheet, no image, no font from elsewhere.
    assert not any(tag in page for tag in ("<link", "<iframe", "@import", "url("))
    assert page.count("<svg") >= 3


@pytest.mark.parametrize("lang", LANGS)
def test_conversations_older_than_the_retention_are_left_out(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asked for a year, the report still covers only the retention window, and says so."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path))  # the SQLite store of the test's own
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "7")
    monkeypatch.setenv("MODEL", str(MODEL))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = open_store(Settings.from_env())
    expired, recent = QUESTIONS[lang]
    for sender, text, days in (("expired", expired, 8), ("recent", recent, 1)):
        when = time.time() - days * 86_400
        tracker = DialogueStateTracker.from_events(sender, [UserUttered(text, timestamp=when, metadata={"locale": lang})])
        asyncio.run(store.save(tracker))

    output = tmp_path / "report.html"
    assert main(["--days", "365", "--output", str(output)]) == 0
    printed, page = capsys.readouterr().out, output.read_text(encoding="utf-8")
    assert printed.startswith("Period: ") and "kept 7 days" in printed
    assert "1 conversations, 1 messages" in printed
    assert "kept 7 days" in page
    assert recent in page and expired not in page


# --- answered, or merely replied ---------------------------------------------------

NEARBY = {"en": ("When did Norway join NATO?", "utter_fact_lacks_date"),
          "es": ("¿Cuántos soldados tiene Suecia en Malí?", "utter_deployments_only_norway"),
          "nb": ("Når ble Norge med i NATO?", "utter_fact_lacks_date")}


def _stored(lang: str, sender: str, text: str, confidence: float, responses: list[tuple[str, str]]) -> list[Event]:
    """What Rasa stores for one question and its replies: (response, fact ids) in the bots' metadata."""
    events = [Event(0, sender, {"event": "user", "timestamp": 1_700_000_000.0, "text": text,
                                "parse_data": {"intent": {"name": "ask_nato", "confidence": confidence}}}),
              Event(0, sender, {"event": "slot", "name": "language", "value": lang, "timestamp": 1_700_000_000.1})]
    events += [Event(0, sender, {"event": "bot", "timestamp": 1_700_000_000.2,
                                 "metadata": {"utter_action": response, "fact_ids": facts}})
               for response, facts in responses]
    return events


def _rating(sender: str, rating: str) -> list[Event]:
    return [Event(0, sender, {"event": "user", "timestamp": 1_700_000_001.0, "text": f'/rate_answer{{"rating": "{rating}"}}',
                              "parse_data": {"intent": {"name": "rate_answer", "confidence": 1.0},
                                             "entities": [{"entity": "rating", "value": rating}]}})]


@pytest.mark.parametrize("lang", LANGS)
def test_answers_with_low_confidence_or_a_nearby_text_are_counted_apart_with_their_ratings(lang: str) -> None:
    question, said_first = NEARBY[lang]
    answered, _ = QUESTIONS[lang]
    events = [
        *_stored(lang, "well", answered, 0.95, [("utter_fact_answer", "nato")]), *_rating("well", "up"),
        *_stored(lang, "unsure", answered, 0.35, [("utter_fact_answer", "nato")]), *_rating("unsure", "down"),
        *_stored(lang, "near", question, 0.9, [(said_first, ""), ("utter_fact_answer", "nato")]),
        *_rating("near", "down"),
        *_stored(lang, "none", question, 0.9, [("utter_out_of_scope", "")]),
    ]
    report = build(read_turns(events))
    assert report.outcomes == {"answered": 1, "low_confidence": 1, "nearby": 1, "not_answered": 1}
    assert (report.answered, report.questions, report.share_answered) == (1, 4, 0.25)
    rated = {"answered": {"up": 1}, "low_confidence": {"down": 1}, "nearby": {"down": 1}}
    assert report.ratings_per_outcome == rated
    (nearby,) = report.unanswered["nearby"]
    assert nearby.label == question and nearby.ratings == {"down": 1}
    now = datetime.now(timezone.utc)
    page = render(report, now, coverage(report, now, 30))
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">(\d+)</td><td class=\"n\">\d+%</td>"
                      r"<td class=\"n\">([\d–]+)</td><td class=\"n\">([\d–]+)</td></tr>", page)
    assert rows == [("Answered", "1", "1", "0"), ("Answered with low confidence", "1", "0", "1"),
                    ("Answered with a nearby text", "1", "0", "1"), ("Not answered", "1", "–", "–")]
    assert "<b>2</b>Answered weakly" in page and "<b>1</b>Not answered" in page
    # Beside each group answered weakly, its ratings; a question not answered had nothing to rate.
    assert f'{question}</td><td class="n">0</td><td class="n">1</td>' in page
    assert f'{question}</td><td class="reviewed">' in page
    # Counting again (another period) counts each rating once.
    assert build(report.turns).ratings_per_outcome == rated


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_marks_the_questions_reviewed(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = open_store(Settings.from_env())
    _, other = QUESTIONS[lang]
    for sender, text in (("a", other), ("b", other.upper()), ("c", f"{other} ahora mismo")):
        tracker = DialogueStateTracker.from_events(sender, [
            UserUttered(text, intent={"name": "out_of_scope", "confidence": 0.9}, timestamp=time.time()),
            SlotSet("language", lang),
        ], slots=[TextSlot("language", mappings=[{"type": "custom"}])])
        asyncio.run(store.save(tracker))
    data = tmp_path / "nlu"
    append(data, lang, "out_of_scope", other)
    output = tmp_path / "report.html"
    assert main(["--output", str(output), "--data", str(data)]) == 0
    assert "Reviewed with make review: 1 of the groups listed" in capsys.readouterr().out
    # Two of the group's three wordings are the one labelled, whatever their case.
    assert "✓ out_of_scope (2 of 3)" in output.read_text(encoding="utf-8")
