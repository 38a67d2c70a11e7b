"""Settings from the environment."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


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
