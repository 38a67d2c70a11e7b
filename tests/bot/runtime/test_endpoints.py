"""The endpoints Rasa runs with: stores chosen by the environment, secrets kept private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from bot.paths import VAR
from bot.runtime.settings import ConfigError, Settings
from bot.runtime.endpoints import endpoints, write_endpoints


def test_default_keeps_conversations_in_sqlite_under_var() -> None:
    config = endpoints(Settings.from_env({}))
    assert config["tracker_store"]["dialect"] == "sqlite"
    assert config["tracker_store"]["db"] == str(VAR / "conversations.db")
    assert "lock_store" not in config


def test_var_dir_moves_the_conversations_and_the_endpoints_file(tmp_path: Path) -> None:
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), "RASA_PORT": "6005"})
    assert endpoints(settings)["tracker_store"]["db"] == str(tmp_path / "conversations.db")
    assert write_endpoints(settings) == tmp_path / "endpoints-6005.yml"


def test_a_relative_var_dir_is_refused() -> None:
    # Relative to what? Each process may start from another folder.
    with pytest.raises(ConfigError, match="VAR_DIR must be an absolute path"):
        Settings.from_env({"VAR_DIR": "var"})


def test_the_tracker_cache_is_sized_by_settings() -> None:
    config = endpoints(Settings.from_env({"TRACKER_CACHE_SIZE": "50", "TRACKER_WINDOW_TURNS": "4"}))
    assert config["tracker_store"]["type"] == "bot.server.tracker_store.CachedSQLTrackerStore"
    assert (config["tracker_store"]["cache_size"], config["tracker_store"]["window_turns"]) == (50, 4)


@pytest.mark.parametrize("variable,value", [("TRACKER_CACHE_SIZE", "-1"), ("TRACKER_WINDOW_TURNS", "0")])
def test_cache_settings_out_of_range_are_refused(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


def test_database_and_redis_urls_choose_postgresql_and_redis() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://bot:s%40cret@db.internal:6543/conversations", "REDIS_URL": "redis://cache:6380/2"}
    )
    config = endpoints(settings)
    assert config["tracker_store"] == {
        "type": "bot.server.tracker_store.CachedSQLTrackerStore", "dialect": "postgresql", "url": "db.internal",
        "port": 6543, "db": "conversations", "username": "bot", "password": "s@cret",
        "cache_size": 500, "window_turns": 5, "max_events": 10_000,
    }
    assert config["lock_store"] == {"type": "redis", "url": "cache", "port": 6380, "db": 2}


@pytest.mark.parametrize("variable,value", [("DATABASE_URL", "mysql://x/y"), ("REDIS_URL", "http://cache")])
def test_unsupported_urls_are_refused(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        endpoints(Settings.from_env({variable: value}))


def test_action_calls_carry_the_secret_and_the_file_is_private(tmp_path: Path) -> None:
    settings = Settings.from_env({"ACTION_TOKEN": "t0ken", "ACTION_PORT": "6055", "VAR_DIR": str(tmp_path)})
    path = write_endpoints(settings)
    written = yaml.safe_load(path.read_text())
    assert written["action_endpoint"] == {
        "url": "http://127.0.0.1:6055/webhook", "enable_selective_domain": True, "token": "t0ken",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
