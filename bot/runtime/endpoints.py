"""The endpoints file Rasa runs with: ``endpoints.yml`` plus the settings.

Ports, stores and the action server's secret come from the environment, so
the effective file is written into ``var/`` (VAR_DIR) at start-up, readable
by its owner only, rather than kept in the repository with placeholders.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.runtime.settings import ConfigError, Settings
from bot.paths import ENDPOINTS_TEMPLATE

BASE = ENDPOINTS_TEMPLATE
# Rasa's SQL tracker store with a per-replica tracker cache in front (bot/server/tracker_store.py).
CACHED_STORE = "bot.server.tracker_store.CachedSQLTrackerStore"


def endpoints(settings: Settings, base: Path = BASE) -> dict[str, Any]:
    config = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    action = {**config.get("action_endpoint", {}), "url": f"{settings.action_url}/webhook"}
    if settings.action_token:
        action["token"] = settings.action_token
    config["action_endpoint"] = action
    config["tracker_store"] = cached_tracker_store(settings)
    if settings.redis_url:
        config["lock_store"] = lock_store(settings.redis_url)
    return config


def cached_tracker_store(settings: Settings) -> dict[str, Any]:
    """Rasa's SQL tracker store (below) with the settings' tracker cache in front."""
    cache = {
        "cache_size": settings.tracker_cache_size,
        "window_turns": settings.tracker_window_turns,
        "max_events": settings.conversation_max_events,
    }
    return {**tracker_store(settings), "type": CACHED_STORE, **cache}


def conversations_db(settings: Settings) -> Path:
    """The SQLite file of the conversations when no DATABASE_URL is set."""
    return settings.runtime_dir / "conversations.db"


def tracker_store(settings: Settings) -> dict[str, Any]:
    """Rasa's SQL tracker store: SQLite under var/ by default, else PostgreSQL."""
    if not settings.database_url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(conversations_db(settings))}
    url = urlsplit(settings.database_url)
    if url.scheme not in ("postgres", "postgresql"):
        raise ConfigError(f"DATABASE_URL must be a postgresql:// URL, not {url.scheme or settings.database_url!r}")
    store: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.path.lstrip("/") or "rasa",
    }
    if url.username:
        store["username"] = unquote(url.username)
    if url.password:
        store["password"] = unquote(url.password)
    return store


def lock_store(redis_url: str) -> dict[str, Any]:
    url = urlsplit(redis_url)
    if url.scheme != "redis":
        raise ConfigError(f"REDIS_URL must be a redis:// URL, not {redis_url!r}")
    store: dict[str, Any] = {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.path.lstrip("/") or 0),
    }
    if url.password:
        store["password"] = unquote(url.password)
    return store


def endpoints_file(settings: Settings) -> Path:
    return settings.runtime_dir / f"endpoints-{settings.rasa_port}.yml"


def write_endpoints(settings: Settings) -> Path:
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    return write_private(endpoints_file(settings), endpoints(settings))


def write_private(path: Path, config: dict[str, Any]) -> Path:
    """``config`` as YAML, readable by its owner only: it may hold the database password and the action secret."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # The mode given to os.open applies to a new file only: an older one keeps its own.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return path


def remove_endpoints(settings: Settings) -> None:
    """Deletes every replica's endpoints file once its run is over: the action secret is no one's business after."""
    for replica in settings.replicas():
        endpoints_file(replica).unlink(missing_ok=True)
