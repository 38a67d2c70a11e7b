"""`make report` on a store filled by real conversations over the REST channel: SQLite and PostgreSQL.

The report is then opened in headless Chromium with the network cut off, as a
member of staff would open the file, and a screenshot kept in tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import ROOT, port_open, require
from tests.conversations.test_rest import Visitor
from tests.servers import LOGS, loopback_settings, start_assistant

pytestmark = pytest.mark.servers

CHROMIUM = Path("/usr/bin/chromium")
OUT_OF_SCOPE = ("What is the best recipe for chocolate cake?", "what's a good recipe for a chocolate cake")
# Each visitor: what they say, in order (a rating refers to the answer just before it).
VISITORS = [
    ["¿Cuántos policías noruegos hay en misiones de la ONU?", '/rate_answer{"rating": "down"}'],
    ["How many Norwegian soldiers serve in UN missions?", '/rate_answer{"rating": "up"}', "and in France?"],
    ["¿Cuántos soldados noruegos hay en misiones de la ONU?", "¿y en Francia?"],
    ["¿Cuántos civiles noruegos hay en misiones de la ONU?", "¿y en Francia?"],
    [OUT_OF_SCOPE[0]],
    [OUT_OF_SCOPE[1]],
    # Answered with a nearby text: the source gives no date; it has figures for Norway's personnel only.
    # (So is the civilians' question above: the source gives no number of civilians.)
    ["When did Norway join NATO?", '/rate_answer{"rating": "down"}'],
    ["¿Cuántos soldados tiene Suecia en Malí?"],
]


def converse(rest_url: str) -> None:
    for messages in VISITORS:
        visitor = Visitor(rest_url)
        for message in messages:
            visitor.say(message)


def make_report(output: Path, since: float, env: dict[str, str]) -> str:
    """`make report` as staff run it, for the period since ``since``; returns what it printed."""
    moment = datetime.fromtimestamp(since, timezone.utc).isoformat()
    arguments = f"--since {moment} --output {output}"
    clean = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "DATABASE_URL")}
    result = subprocess.run(
        ["make", "--no-print-directory", "report", f"REPORT_ARGS={arguments}"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def check_summary(printed: str) -> None:
    assert "8 conversations, 14 messages; 3 of 11 questions answered (27%)" in printed, printed
    assert ("Outcomes: answered 3 (1 up, 1 down); answered with low confidence 0 (0 up, 0 down); "
            "answered with a nearby text 3 (0 up, 1 down); not answered 5") in printed, printed
    assert "out of scope 2" in printed or "not understood (fallback) 2" in printed, printed
    assert "Names the store lacks: Francia (2), France (1)" in printed, printed
    assert "Ratings: 1 up, 2 down" in printed, printed


def check_in_chromium(report: Path, screenshot: str) -> None:
    """The file opens offline, shows every section and its charts, and fetches nothing."""
    if not CHROMIUM.exists():
        require(False, "chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    from tests.bot.web.test_browser import CHROMIUM_ARGS

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(java_script_enabled=False)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.resolve().as_uri())
            text = page.inner_text("body")
            assert page.locator("svg").count() >= 3
            assert page.locator("svg rect").count() >= 2
            unanswered = page.inner_text("section:has(h2:text('Questions not answered'))")
            assert all(question in unanswered for question in OUT_OF_SCOPE)
            names = page.inner_text("section:has(h2:text('Names asked about'))")
            assert "Francia\t2" in names and "France\t1" in names
            down = page.inner_text("#down-rated + table")
            assert "¿Cuántos policías noruegos hay en misiones de la ONU?" in down and "police" in down
            assert "How many Norwegian soldiers" not in down
            assert "Answered" in text and "27%" in text
            outcomes = page.inner_text("#outcomes")
            assert "Answered with a nearby text\t3\t27%\t0\t1" in outcomes, outcomes
            LOGS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(LOGS / f"{screenshot}.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [report.resolve().as_uri()], requests


def test_report_from_conversations_in_sqlite(assistant) -> None:  # type: ignore[no-untyped-def]
    since = time.time()
    converse(assistant.rest_url)
    # `make report` as the README shows it: the default store, reports/conversations.html.
    output = Path("reports") / "conversations.html"
    check_summary(make_report(output, since, {}))
    shutil.copy(ROOT / output, LOGS / "report-sqlite.html")
    check_in_chromium(ROOT / output, "report-sqlite")


@pytest.fixture(scope="module")
def postgres_assistant() -> Iterator[tuple[str, object]]:
    require(port_open("127.0.0.1", 5432), "PostgreSQL", "start it, or run in CI")
    from tests.scale.cluster import fresh_database

    with fresh_database() as database_url:
        settings = loopback_settings(database_url=database_url)
        running = start_assistant("report-postgresql", settings)
        try:
            yield database_url, running
        finally:
            running.stop()


@pytest.mark.services
def test_report_from_conversations_in_postgresql(postgres_assistant) -> None:  # type: ignore[no-untyped-def]
    database_url, running = postgres_assistant
    since = time.time()
    converse(running.rest_url)
    output = LOGS / "report-postgresql.html"
    check_summary(make_report(output, since, {"DATABASE_URL": database_url}))
    check_in_chromium(output, "report-postgresql")
