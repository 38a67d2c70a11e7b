"""`make run`: the replicas it refuses, the files it leaves, the terminal it writes to."""

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
from bot.runtime.launcher import Processes
from bot.runtime.processes import free_port
from bot.runtime.serve import main, run, secure_runtime_dir


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


async def test_a_stopped_run_leaves_no_endpoints_file_with_its_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """`make run` with two replicas, stopped with SIGTERM: each replica's endpoints file held the action secret."""
    # Every child a process that runs until stopped: what is under test is the supervisor's own bookkeeping.
    idle = [sys.executable, "-c", "import time; time.sleep(600)"]
    monkeypatch.setattr("bot.runtime.launcher.RASA", idle)
    monkeypatch.setattr("bot.runtime.launcher.action_command", lambda: idle)
    monkeypatch.setattr("bot.runtime.launcher.web_command", lambda: idle)

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
