"""Settings from the environment."""

from __future__ import annotations

import pytest

from bot.runtime.settings import ConfigError, Settings, check_scale_out


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.rasa_port, settings.action_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.internal_host == "127.0.0.1"


def test_ports_come_from_the_environment() -> None:
    assert Settings.from_env({"RASA_PORT": "6005", "WEB_PORT": ""}).rasa_port == 6005


def test_a_bad_number_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="RASA_PORT must be a whole number"):
        Settings.from_env({"RASA_PORT": "five"})


@pytest.mark.parametrize("model", ["/tmp/evil.tar.gz", "models/../../evil.tar.gz"])
def test_models_load_only_from_the_models_folder(model: str) -> None:
    with pytest.raises(ConfigError, match="MODEL must be a file under"):
        Settings.from_env({"MODEL": model})


def test_replicas_take_consecutive_ports_in_pairs() -> None:
    settings = Settings.from_env({"RASA_PORT": "6005", "ACTION_PORT": "6055", "RASA_REPLICAS": "3"})
    assert [(r.rasa_port, r.action_port) for r in settings.replicas()] == [(6005, 6055), (6006, 6056), (6007, 6057)]
    assert settings.rasa_urls == ["http://127.0.0.1:6005", "http://127.0.0.1:6006", "http://127.0.0.1:6007"]
    assert Settings.from_env({}).rasa_urls == ["http://127.0.0.1:5005"]


def test_zero_replicas_is_refused() -> None:
    with pytest.raises(ConfigError, match="RASA_REPLICAS must be at least 1"):
        Settings.from_env({"RASA_REPLICAS": "0"})


SHARED = {"DATABASE_URL": "postgresql://rasa@db/rasa", "REDIS_URL": "redis://cache:6379/0"}


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_replicas_need_a_shared_database_and_redis(missing: str) -> None:
    env = {**SHARED, "RASA_REPLICAS": "2"}
    del env[missing]
    with pytest.raises(ConfigError, match="RASA_REPLICAS=2 needs DATABASE_URL .* and REDIS_URL"):
        check_scale_out(Settings.from_env(env))
    check_scale_out(Settings.from_env({**SHARED, "RASA_REPLICAS": "2"}))
    # One replica needs neither: SQLite and in-process locks.
    check_scale_out(Settings.from_env({}))


def test_replica_ports_must_not_collide() -> None:
    env = {**SHARED, "RASA_REPLICAS": "3", "RASA_PORT": "5005", "ACTION_PORT": "5007"}
    with pytest.raises(ConfigError, match="ports overlap"):
        check_scale_out(Settings.from_env(env))
