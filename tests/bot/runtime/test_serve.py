"""The credentials Rasa runs with: a platform is connected only when all its secrets are set."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys
from pathlib import Path

import pytest
import yaml

from bot.paths import MODEL
from bot.runtime.processes import free_port
from bot.runtime.serve import (
    CREDENTIALS_TEMPLATE, MAX_RESTARTS, STABLE_AFTER_S, Processes, Spec, supervise, effective_credentials, main,
    restart_delay, role_env, run, secure_runtime_dir, write_credentials,
)
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


def test_replicas_without_shared_stores_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_: object, **__: object) -> None:
        raise AssertionError("nothing may start")

    monkeypatch.setattr(Processes, "start", never)
    monkeypatch.setattr(sys, "argv", ["python -m bot.runtime.serve"])
    for name, value in {"RASA_REPLICAS": "2", "DATABASE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/0"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        main()
    # A message for the operator, not a traceback.
    assert str(stopped.value.code).startswith("error: RASA_REPLICAS=2 needs DATABASE_URL")


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
    monkeypatch.setattr("bot.runtime.serve.RESTART_FIRST_DELAY_S", 0.05)
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
    monkeypatch.setattr("bot.runtime.serve.RESTART_FIRST_DELAY_S", 0.01)
    processes = Processes(dict(os.environ))
    processes.start([sys.executable, "-c", "import sys; sys.exit(3)"], name="action server")
    try:
        assert await asyncio.wait_for(supervise(processes, asyncio.Event()), 30) == 1
    finally:
        processes.stop()
    errors = capsys.readouterr().err
    assert errors.count("starting it again") == MAX_RESTARTS
    assert f"error: the action server died {MAX_RESTARTS + 1} times in a row (last exit code 3)" in errors


async def test_a_stopped_run_leaves_no_endpoints_file_with_its_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """`make run` with two replicas, stopped with SIGTERM: each replica's endpoints file held the action secret."""
    # Every child a process that runs until stopped: what is under test is the supervisor's own bookkeeping.
    idle = [sys.executable, "-c", "import time; time.sleep(600)"]
    monkeypatch.setattr("bot.runtime.serve.RASA", idle)
    monkeypatch.setattr("bot.runtime.serve.action_command", lambda: idle)
    monkeypatch.setattr("bot.runtime.serve.web_command", lambda: idle)

    async def answered(*_: object, **__: object) -> float:
        return 0.0

    monkeypatch.setattr("bot.runtime.serve.wait_until_all_answer", answered)
    monkeypatch.setattr("bot.runtime.serve.wait_until_front_serves", answered)
    rasa_port = free_port()
    for name, value in {
        "RASA_PORT": rasa_port, "ACTION_PORT": rasa_port + 10, "WEB_PORT": rasa_port + 20, "RASA_REPLICAS": 2,
        "DATABASE_URL": "postgresql://assistant@127.0.0.1:5432/test", "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MODEL": MODEL, "ACTION_TOKEN": "", "VAR_DIR": tmp_path,
    }.items():
        monkeypatch.setenv(name, str(value))

    serving = asyncio.create_task(run())
    printed = ""
    for _ in range(400):
        printed += capsys.readouterr().out
        if "Press Ctrl-C to stop." in printed or serving.done():
            break
        await asyncio.sleep(0.05)
    assert "Press Ctrl-C to stop." in printed, printed
    files = [tmp_path / f"endpoints-{port}.yml" for port in (rasa_port, rasa_port + 1)]
    (token,) = {yaml.safe_load(f.read_text(encoding="utf-8"))["action_endpoint"]["token"] for f in files}
    assert token

    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(serving, 30) == 0
    left = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.rglob("*") if path.is_file()}
    assert not [name for name, text in left.items() if token in text or name.startswith("endpoints")], left


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


def test_var_is_made_the_owners_alone_whatever_it_was(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "sub").mkdir(parents=True)
    (var / "conversations.db").write_text("")
    (var / "sub" / "old.yml").write_text("")
    for path, mode in ((var, 0o755), (var / "sub", 0o777), (var / "conversations.db", 0o644),
                       (var / "sub" / "old.yml", 0o666)):
        os.chmod(path, mode)
    secure_runtime_dir(var)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (var, var / "sub", var / "conversations.db",
                                                               var / "sub" / "old.yml")}
    assert modes == {"var": 0o700, "sub": 0o700, "conversations.db": 0o600, "old.yml": 0o600}


# What a newcomer may see up to "Ready": a few lines of progress, no warnings.
MAX_LINES_TO_READY = 40


@pytest.mark.servers
def test_make_run_is_quiet_and_ctrl_c_stops_it_cleanly(tmp_path: Path) -> None:
    import subprocess
    import time

    from bot.paths import ROOT
    from tests.servers import require_model

    require_model()
    ports = {"WEB_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port()}
    # A terminal's environment: not a sub-make of `make test`.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    env.update({k: str(v) for k, v in ports.items()}, VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    out = tmp_path / "terminal.txt"
    with open(out, "wb") as terminal:
        make = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=terminal, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        started = time.monotonic()
        while "Ready in" not in out.read_text(errors="replace"):
            assert make.poll() is None, out.read_text(errors="replace")
            assert time.monotonic() - started < 240, "make run was not ready in 240 s"
            time.sleep(0.5)
        time.sleep(1)
        shown = out.read_text(errors="replace")
        # Ctrl-C: the terminal sends SIGINT to the whole foreground group.
        os.killpg(make.pid, signal.SIGINT)
        # make waits for the assistant to stop, then ends as Ctrl-C ends it (make's own "Interrupt").
        assert make.wait(60) in (0, -signal.SIGINT)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    lines = shown.splitlines()
    assert len(lines) <= MAX_LINES_TO_READY, shown
    assert not [line for line in lines if "warning" in line.lower()], shown
    assert lines[-1].startswith("Press Ctrl-C to stop. Logs: ")
    everything = out.read_text(errors="replace")
    assert [line for line in everything.splitlines() if line.startswith("Stopped. Logs: ")]
    assert "Traceback" not in everything
    logs = {path.name: path.read_text(errors="replace") for path in (tmp_path / "logs").glob("*.log")}
    assert {"action-server.log", "Rasa-server.log", "web-front.log"} <= set(logs)
    for name, text in logs.items():
        assert "Traceback" not in text and "Task was destroyed" not in text, (name, text[-3000:])
