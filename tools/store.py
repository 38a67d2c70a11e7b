"""Reading conversations straight from Rasa's SQL tracker store (SQLite or PostgreSQL).

Rasa's ``SQLTrackerStore`` keeps one row per event in the ``events`` table,
with the event's JSON in ``data``. Reading the rows needs no Rasa and no open
HTTP API, and reads a month of conversations in one query. The staff tools
only read: the connection is opened read-only, so none of them can change a
conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional
from urllib.parse import quote

import sqlalchemy
from sqlalchemy.engine import URL

from bot.runtime.endpoints import tracker_store
from bot.runtime.settings import Settings


@dataclass(frozen=True)
class Event:
    id: int
    sender: str
    data: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("event", ""))

    @property
    def timestamp(self) -> float:
        return float(self.data.get("timestamp") or 0.0)


def store_url(settings: Settings, sqlite_path: Optional[Path] = None) -> URL:
    """The SQLAlchemy URL of the store Rasa uses with these settings (bot.runtime.endpoints.tracker_store)."""
    config = tracker_store(settings)
    if config["dialect"] == "sqlite":
        return URL.create("sqlite", database=str(sqlite_path or config["db"]))
    return URL.create(
        "postgresql",
        username=config.get("username"),
        password=config.get("password"),
        host=config["url"],
        port=config["port"],
        database=config["db"],
    )


def read_only_engine(url: URL) -> sqlalchemy.engine.Engine:
    """An engine that cannot write: SQLite opened with ``mode=ro``, PostgreSQL in read-only transactions."""
    if url.get_backend_name() == "sqlite":
        # A URI filename, so that SQLite takes mode=ro; quoted, as a path may hold '?' or '#'.
        path = quote(str(url.database), safe="/")
        return sqlalchemy.create_engine(url.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"}))
    return sqlalchemy.create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})


def read_events(url: URL, since: float = 0.0, sender: Optional[str] = None, after_id: int = 0) -> list[Event]:
    """Events with a timestamp from ``since`` on, oldest first; none if the store has no table yet."""
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return []  # nothing stored yet; connecting would create an empty file
    engine = read_only_engine(url)
    query = "SELECT id, sender_id, data FROM events WHERE timestamp >= :since AND id > :after"
    params: dict[str, Any] = {"since": since, "after": after_id}
    if sender is not None:
        query += " AND sender_id = :sender"
        params["sender"] = sender
    try:
        with engine.connect() as connection:
            if not sqlalchemy.inspect(connection).has_table("events"):
                return []
            rows = connection.execute(sqlalchemy.text(query + " ORDER BY id"), params).fetchall()
    finally:
        engine.dispose()
    return [Event(row[0], row[1], json.loads(row[2])) for row in rows]
