"""Retention and forgetting on the real SQL stores: SQLite, and the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import MODEL
from bot.runtime import privacy
from bot.runtime.settings import Settings
from tests.conftest import ROOT, port_open, require

DAY = 86_400.0
NOW = time.time()


def conversation(sender: str, days_ago: float) -> DialogueStateTracker:
    when = NOW - days_ago * DAY
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start", timestamp=when),
        SessionStarted(timestamp=when),
        ActionExecuted("action_listen", timestamp=when),
        UserUttered("¿Cuántos policías noruegos hay en misiones de la ONU?", timestamp=when, metadata={"locale": "es"}),
        BotUttered("Alrededor de 30 oficiales de policía", timestamp=when),
    ])


def save(store: SQLTrackerStore, *trackers: DialogueStateTracker) -> None:
    for tracker in trackers:
        asyncio.run(store.save(tracker))


def senders(store: SQLTrackerStore) -> set[str]:
    return set(asyncio.run(store.keys()))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database(request, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """DATABASE_URL of an empty store: "" is SQLite in VAR_DIR (here tmp_path), else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    require(port_open("127.0.0.1", 5432), "PostgreSQL", "start it, or run in CI")
    from tests.scale.cluster import fresh_database

    with fresh_database() as url:
        yield url


@pytest.fixture
def store(database: str, tmp_path: Path) -> SQLTrackerStore:
    return privacy.open_store(Settings(database_url=database, var_dir=str(tmp_path)))


def test_retention_deletes_old_conversations_and_keeps_new_ones(store: SQLTrackerStore) -> None:
    save(store, conversation("old", 31), conversation("older", 400), conversation("recent", 29), conversation("new", 0))
    deleted = privacy.purge(store, days=30, now=NOW)
    assert sorted(deleted) == ["old", "older"]
    assert senders(store) == {"recent", "new"}
    kept = asyncio.run(store.retrieve("recent"))
    assert kept is not None and kept.latest_message.text.startswith("¿Cuántos")


def test_a_conversation_is_judged_by_its_last_event(store: SQLTrackerStore) -> None:
    tracker = conversation("resumed", 45)
    tracker.update(UserUttered("¿y en Chipre?", timestamp=NOW - DAY))
    save(store, tracker)
    assert privacy.purge(store, days=30, now=NOW) == []
    assert senders(store) == {"resumed"}


def test_forgetting_deletes_one_conversation_whole(store: SQLTrackerStore) -> None:
    save(store, conversation("visitor", 0), conversation("someone-else", 0))
    assert asyncio.run(store.retrieve("visitor")) is not None  # now in the tracker cache too
    assert privacy.delete_conversations(store, ["visitor"]) == 5
    assert senders(store) == {"someone-else"}
    assert asyncio.run(store.retrieve("visitor")) is None
    assert privacy.delete_conversations(store, ["visitor"]) == 0


def test_make_purge_deletes_expired_conversations(store: SQLTrackerStore, database: str, tmp_path: Path) -> None:
    save(store, conversation("expired", 8), conversation("fresh", 1))
    env = {**os.environ, "DATABASE_URL": database, "CONVERSATION_RETENTION_DAYS": "7", "VAR_DIR": str(tmp_path),
           "MODEL": str(MODEL), "PYTHONPATH": str(ROOT)}
    # What `make purge` runs, started from elsewhere: every path it uses is anchored.
    done = subprocess.run([sys.executable, "-m", "bot.runtime.privacy"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 conversation(s) idle for more than 7 day(s)." in done.stdout
    assert senders(store) == {"fresh"}


def test_deleted_text_cannot_be_read_back_from_the_sqlite_file(tmp_path: Path) -> None:
    store = privacy.open_store(Settings(var_dir=str(tmp_path)))
    tracker = conversation("gone", 40)
    tracker.update(UserUttered("my phone is 5550123", timestamp=NOW - 40 * DAY))
    save(store, tracker)
    files = list(tmp_path.glob("conversations.db*"))  # the database and its write-ahead log
    assert any(b"5550123" in file.read_bytes() for file in files)
    privacy.purge(store, days=30, now=NOW)
    assert not any(b"5550123" in file.read_bytes() for file in tmp_path.glob("conversations.db*"))


def test_retention_must_be_at_least_a_day() -> None:
    from bot.runtime.settings import ConfigError

    with pytest.raises(ConfigError, match="CONVERSATION_RETENTION_DAYS"):
        Settings.from_env({"CONVERSATION_RETENTION_DAYS": "0"})
    assert Settings.from_env({}).conversation_retention_days == 30
