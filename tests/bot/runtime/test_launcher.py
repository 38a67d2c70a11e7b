"""The launcher: the servers' commands, environments and credentials; their processes started, watched, stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.paths import MODEL
from bot.runtime.launcher import (
    CREDENTIALS_TEMPLATE, MAX_RESTARTS, STABLE_AFTER_S, Processes, Spec, action_command, child_env,
    effective_credentials, logs_in, rasa_command, restart_delay, role_env, start_assistant, start_front, supervise,
    web_command, with_action_token, write_credentials,
)
from bot.runtime.settings import Settings
from tests.bot.web.stack import PLATFORM_ENV

TELEGRAM, SLACK = "bot.channels.telegram.TelegramInput", "bot.channels.slack.SlackInput"
SOCKETIO = "bot.channels.socketio.SocketIOInput"
REST, FACEBOOK = "bot.channels.rest.RestInput", "bot.channels.messenger.FacebookInput"
PRIVACY = "bot.channels.erasure.PrivacyInput"
FACEBOOK_ENV = {"FACEBOOK_VERIFY": "v", "FACEBOOK_SECRET": "s", "FACEBOOK_PAGE_ACCESS_TOKEN": "t"}


def channels(env: dict, tmp_path: Path) -> list[str]:
    return write_credentials(env, target=tmp_path / "credentials.yml")


def test_without_secrets_only_the_web_channels_run(tmp_path: Path) -> None:
    assert channels({}, tmp_path) == [REST, SOCKETIO, PRIVACY]


def test_every_platform_with_its_secrets(tmp_path: Path) -> None:
    assert channels({**PLATFORM_ENV, **FACEBOOK_ENV}, tmp_path) == [REST, SOCKETIO, PRIVACY, TELEGRAM, SLACK, FACEBOOK]


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


# -- supervision ------------------------------------------------------------------------------------


def test_restart_pauses_grow_and_end_in_giving_up() -> None:
    spec = Spec(["true"], {}, started=0.0)
    pauses = [restart_delay(spec, now=1.0) for _ in range(MAX_RESTARTS + 1)]
    assert pauses[:MAX_RESTARTS] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert pauses[-1] is None


def test_a_process_that_ran_a_while_counts_afresh() -> None:
    spec = Spec(["true"], {}, started=0.0, crashes=4)
    assert restart_delay(spec, now=STABLE_AFTER_S + 1) == 1.0 and spec.crashes == 1


async def test_a_crashed_process_is_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.runtime.launcher.RESTART_FIRST_DELAY_S", 0.05)
    marker = tmp_path / "starts"
    # Dies at its first start, then keeps running.
    script = f"import os, sys, time; p = {str(marker)!r}; n = len(open(p).read()) if os.path.exists(p) else 0; " \
             "open(p, 'a').write('x'); time.sleep(60) if n else sys.exit(3)"
    processes = Processes(dict(os.environ))
    stop = asyncio.Event()
    processes.start([sys.executable, "-c", script], name="test process")
    watcher = asyncio.create_task(supervise(processes, stop))
    try:
        for _ in range(200):
            if marker.exists() and len(marker.read_text()) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(marker.read_text()) == 2
        assert [c.poll() for c in processes.children] == [None]
    finally:
        stop.set()
        assert await watcher == 0
        processes.stop()


async def test_a_process_that_keeps_crashing_stops_the_service_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr("bot.runtime.launcher.RESTART_FIRST_DELAY_S", 0.01)
    processes = Processes(dict(os.environ))
    processes.start([sys.executable, "-c", "import sys; sys.exit(3)"], name="action server")
    try:
        assert await asyncio.wait_for(supervise(processes, asyncio.Event()), 30) == 1
    finally:
        processes.stop()
    errors = capsys.readouterr().err
    assert errors.count("starting it again") == MAX_RESTARTS
    assert f"error: the action server died {MAX_RESTARTS + 1} times in a row (last exit code 3)" in errors


# -- least privilege --------------------------------------------------------------------------------

SECRETS = {**PLATFORM_ENV, **FACEBOOK_ENV, "ACTION_TOKEN": "a", "DATABASE_URL": "postgresql://u:p@h/d",
           "REDIS_URL": "redis://h:6379/0"}


def test_the_front_gets_no_secret() -> None:
    env = role_env({**SECRETS, "WEB_PORT": "8080", "PATH": "/bin"}, "web")
    assert env == {"WEB_PORT": "8080", "PATH": "/bin"}


def test_the_action_server_gets_only_its_own_secret() -> None:
    env = role_env({**SECRETS, "ACTION_PORT": "5055"}, "actions")
    assert env == {"ACTION_TOKEN": "a", "ACTION_PORT": "5055"}


def test_rasa_gets_the_secrets_it_fills_in_and_uses() -> None:
    assert role_env(SECRETS, "rasa") == SECRETS




# -- commands, environments, processes ---------------------------------------------------------------

# Starts a grandchild in its own process group (the parent's), writes its pid, then waits.
PARENT = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(600)"
)
IDLE = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_the_commands_run_our_modules_on_the_settings_ports(tmp_path: Path) -> None:
    settings = Settings(rasa_port=6001, action_port=6002, model=str(MODEL))
    rasa = rasa_command(settings, tmp_path / "c.yml", tmp_path / "e.yml")
    assert rasa[:4] == [sys.executable, "-m", "bot.server.main", "run"]
    assert rasa[rasa.index("--port") + 1] == "6001" and rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    assert rasa[rasa.index("--model") + 1] == str(MODEL)
    assert rasa[rasa.index("--credentials") + 1] == str(tmp_path / "c.yml")
    assert rasa[rasa.index("--endpoints") + 1] == str(tmp_path / "e.yml")
    # Rasa's HTTP API stays off.
    assert "--enable-api" not in rasa
    assert action_command() == [sys.executable, "-m", "bot.runtime.action_server"]
    assert web_command() == [sys.executable, "-m", "bot.web"]


def test_every_child_gets_the_ports_the_secret_and_quiet_libraries() -> None:
    settings = with_action_token(Settings(rasa_port=6001, action_port=6002, web_port=6003, var_dir="/tmp/v"))
    env = child_env(settings, {"PATH": "/bin", "RASA_PORT": "1"})
    assert env == {
        "PATH": "/bin", "RASA_PORT": "6001", "ACTION_PORT": "6002", "RASA_REPLICAS": "1", "WEB_PORT": "6003",
        "ACTION_TOKEN": settings.action_token, "VAR_DIR": "/tmp/v", "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    assert len(settings.action_token) >= 32 and with_action_token(settings) == settings


def test_an_assistant_starts_each_process_with_its_own_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(
        Processes, "start", lambda self, command, env=None, name="process", **_: started.append((name, command, env))
    )
    settings = Settings(rasa_port=6001, action_port=6002, model=str(MODEL), action_token="a")
    env = {**child_env(settings, {"PATH": "/bin"}), **SECRETS}
    processes = Processes(env)
    start_assistant(processes, settings, tmp_path / "c.yml", tmp_path / "e.yml", env=env)
    start_front(processes, env, ["rest", "telegram"])
    (action, rasa, web) = started
    assert (action[0], action[1]) == ("action server", action_command())
    assert (rasa[0], rasa[1]) == ("Rasa server", rasa_command(settings, tmp_path / "c.yml", tmp_path / "e.yml"))
    assert web[0] == "web front" and web[1] == web_command()
    assert action[2] == role_env(env, "actions") and "TELEGRAM_TOKEN" not in action[2]
    assert rasa[2] == env
    assert web[2] == {**role_env(env, "web"), "WEB_CHANNELS": "rest,telegram"} and "ACTION_TOKEN" not in web[2]


def test_each_process_logs_to_its_own_file_and_stopping_ends_its_whole_group(tmp_path: Path) -> None:
    processes = Processes(dict(os.environ), logs=logs_in(tmp_path / "logs"))
    pid_file = tmp_path / "grandchild"
    first = processes.start([sys.executable, "-c", "print('hello', flush=True)"], name="Rasa server")
    parent = processes.start([sys.executable, "-c", PARENT, str(pid_file)], name="action server")
    try:
        assert first.wait(30) == 0
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None
            time.sleep(0.05)
        grandchild = int(pid_file.read_text())
        # Each leads a process group of its own.
        assert os.getpgid(parent.pid) == parent.pid and os.getpgid(grandchild) == parent.pid
        assert processes.named("action server") is parent
    finally:
        assert processes.stop(grace=30) == []
    assert parent.returncode == -signal.SIGTERM
    assert (tmp_path / "logs" / "Rasa-server.log").read_text() == "hello\n"
    for _ in range(200):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        state = Path(f"/proc/{grandchild}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the grandchild outlived its group")


def test_a_restarted_process_keeps_its_command_environment_and_log(tmp_path: Path) -> None:
    log = tmp_path / "one.log"
    processes = Processes({"PATH": os.environ.get("PATH", ""), "WORD": "again"})
    child = processes.start([sys.executable, "-c", "import os; print(os.environ['WORD'], flush=True)"], log=log,
                            cwd=tmp_path)
    try:
        child.wait(30)
        again = processes.restart(child)
        again.wait(30)
        assert processes.children == [again] and processes.specs[again.pid].cwd == tmp_path
    finally:
        processes.stop()
    assert log.read_text() == "again\nagain\n"


def test_a_process_deaf_to_sigterm_is_killed_after_the_grace() -> None:
    processes = Processes(dict(os.environ))
    stubborn = processes.start(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"]
    )
    time.sleep(0.5)
    assert processes.stop(grace=0.5) == [stubborn]
    assert stubborn.returncode == -signal.SIGKILL


def test_the_servers_are_started_by_the_launcher_alone() -> None:
    """make run, make shell, make bench's servers and the tests' have no start of their own (timed trainings aside)."""
    from bot.paths import ROOT

    for path in ("bot/runtime/serve.py", "tools/shell.py", "tools/bench/servers.py", "tests/servers.py",
                 "tests/scale/cluster.py", "tests/bot/web/stack.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert text.count("Popen(") == (1 if path == "tools/bench/servers.py" else 0), path
