"""The credentials Rasa runs with: a platform is connected only when all its secrets are set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from bot.serve import CREDENTIALS_TEMPLATE, Processes, effective_credentials, main, write_credentials
from tests.web.stack import PLATFORM_ENV

TELEGRAM, SLACK, SOCKETIO = "bot.channels.TelegramInput", "bot.channels.SlackInput", "bot.channels.SocketIOInput"
REST, FACEBOOK = "bot.channels.RestInput", "bot.channels.FacebookInput"
FACEBOOK_ENV = {"FACEBOOK_VERIFY": "v", "FACEBOOK_SECRET": "s", "FACEBOOK_PAGE_ACCESS_TOKEN": "t"}


def channels(env: dict, tmp_path: Path) -> list[str]:
    return write_credentials(env, target=tmp_path / "credentials.yml")


def test_without_secrets_only_the_web_channels_run(tmp_path: Path) -> None:
    assert channels({}, tmp_path) == [REST, SOCKETIO]


def test_every_platform_with_its_secrets(tmp_path: Path) -> None:
    assert channels({**PLATFORM_ENV, **FACEBOOK_ENV}, tmp_path) == [REST, SOCKETIO, TELEGRAM, SLACK, FACEBOOK]


@pytest.mark.parametrize("missing", ["TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_WEBHOOK_URL"])
def test_one_missing_or_empty_secret_leaves_the_platform_out(tmp_path: Path, missing: str) -> None:
    unset = {k: v for k, v in PLATFORM_ENV.items() if k != missing}
    empty = {**PLATFORM_ENV, missing: ""}
    for env in (unset, empty):
        assert TELEGRAM not in channels(env, tmp_path)
        assert SLACK in channels(env, tmp_path)


def test_secrets_are_left_for_rasa_to_fill_in(tmp_path: Path) -> None:
    write_credentials(PLATFORM_ENV, target=tmp_path / "credentials.yml")
    text = (tmp_path / "credentials.yml").read_text(encoding="utf-8")
    assert all(secret not in text for secret in PLATFORM_ENV.values())
    # Unquoted, or Rasa would not substitute them.
    assert "access_token: ${TELEGRAM_TOKEN}\n" in text
    assert yaml.safe_load(text)[SLACK] == {
        "slack_token": "${SLACK_TOKEN}", "slack_signing_secret": "${SLACK_SIGNING_SECRET}"
    }


def test_every_variable_of_the_template_is_documented() -> None:
    template = yaml.safe_load(CREDENTIALS_TEMPLATE.read_text(encoding="utf-8"))
    docs = (CREDENTIALS_TEMPLATE.parent / "docs" / "channels.md").read_text(encoding="utf-8")
    everything = {**PLATFORM_ENV, **FACEBOOK_ENV}
    assert set(effective_credentials(template, everything)) == set(template)
    for name in everything:
        assert name in docs, name


def test_replicas_without_shared_stores_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*_: object, **__: object) -> None:
        raise AssertionError("nothing may start")

    monkeypatch.setattr(Processes, "start", never)
    monkeypatch.setattr(sys, "argv", ["python -m bot.serve"])
    for name, value in {"RASA_REPLICAS": "2", "DATABASE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/0"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        main()
    # A message for the operator, not a traceback.
    assert str(stopped.value.code).startswith("error: RASA_REPLICAS=2 needs DATABASE_URL")
