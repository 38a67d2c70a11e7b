"""The staff tools read the conversation store through a connection that cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import URL

from tests.conftest import port_open, require
from tools.store import read_events, read_only_engine

INSERT = "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', 1, '{}')"


def _events_table(url: URL) -> None:
    engine = sqlalchemy.create_engine(url)
    key = "INTEGER PRIMARY KEY" if url.get_backend_name() == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(
            f"CREATE TABLE events (id {key}, sender_id TEXT, type_name TEXT, timestamp REAL, data TEXT)"))
        connection.execute(sqlalchemy.text(INSERT.replace("'{}'", "'{\"event\": \"user\"}'")))
    engine.dispose()


def _refuses_writes(url: URL) -> None:
    engine = read_only_engine(url)
    try:
        with engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="read.?only"):
            connection.execute(sqlalchemy.text(INSERT))
    finally:
        engine.dispose()
    assert [e.kind for e in read_events(url)] == ["user"]


def test_sqlite_is_opened_read_only_even_in_a_folder_with_odd_characters(tmp_path: Path) -> None:
    folder = tmp_path / "a #folder? with 100% odd names"
    folder.mkdir()
    url = URL.create("sqlite", database=str(folder / "conversations.db"))
    _events_table(url)
    _refuses_writes(url)


@pytest.mark.services
def test_postgresql_is_read_in_read_only_transactions() -> None:
    require(port_open("127.0.0.1", 5432), "PostgreSQL", "start it, or run in CI")
    from sqlalchemy.engine import make_url

    from tests.scale.cluster import fresh_database

    with fresh_database() as database_url:
        url = make_url(database_url)
        _events_table(url)
        _refuses_writes(url)
