"""The processes under test: our action and Rasa servers as `make run` starts them, the stock bot's, and timed commands."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional, Sequence

import yaml

from bot.paths import MODEL, ROOT, VAR
from bot.runtime.endpoints import endpoints
from bot.runtime.launcher import (
    Processes, child_env, start_assistant, wait_until_answering, with_action_token, write_credentials,
)
from bot.runtime.processes import LOOPBACK, free_port, signal_group
from bot.runtime.settings import Settings
from tools.bench.procfs import tree_memory_mb

# The plain `rasa` command: the stock bot runs unmodified, and training is training.
RASA = os.path.join(os.path.dirname(sys.executable), "rasa")
# Server logs and the credentials the benchmarked server reads.
WORK = VAR / "bench"
REST_PATH = "/webhooks/rest/webhook"

START_TIMEOUT_S = 180.0
TRAIN_TIMEOUT_S = 1800.0


@dataclass
class Server:
    """Processes serving one bot, started together; ``started`` is when the first was spawned."""

    name: str
    settings: Settings
    started: float = field(default_factory=time.monotonic)
    # Files removed once stopped (the endpoints file holds the action server's secret).
    leftovers: list[Path] = field(default_factory=list)
    # Each process by its role ("actions", "rasa"), logging to log_path(name, role).
    processes: Processes = field(init=False)

    def __post_init__(self) -> None:
        self.processes = Processes(child_env(self.settings), logs=lambda role: log_path(self.name, role))

    @property
    def rest_url(self) -> str:
        return f"{self.settings.rasa_url}{REST_PATH}"

    def fresh_logs(self, *roles: str) -> None:
        """Each run's logs start empty: a figure's log is that run's alone."""
        for role in roles:
            log_path(self.name, role).write_bytes(b"")

    def spawn(self, role: str, command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> None:
        self.fresh_logs(role)
        self.processes.start(command, dict(env), name=role, cwd=cwd)

    def exited(self) -> Optional[str]:
        child = self.processes.failed()
        return None if child is None else self.processes.specs[child.pid].name

    def memory(self) -> dict[str, tuple[float, float]]:
        return {self.processes.specs[child.pid].name: tree_memory_mb(child.pid) for child in self.processes.children}

    def stop(self, grace_s: float = 15.0) -> None:
        self.processes.stop(grace_s)
        for path in self.leftovers:
            path.unlink(missing_ok=True)


def log_path(name: str, role: str) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK / f"{name}-{role}.log"


def loopback_settings(model: Path) -> Settings:
    return replace(
        Settings.from_env({}), rasa_port=free_port(), action_port=free_port(), web_port=free_port(), model=str(model)
    )


def start_ours() -> Server:
    """Our action server and Rasa server, started as `make run` starts them."""
    settings = with_action_token(loopback_settings(MODEL))
    env = child_env(settings)
    WORK.mkdir(parents=True, exist_ok=True)
    # Only the channels that need no secret (REST, socket.io): nothing may reach out.
    credentials = WORK / "credentials.yml"
    write_credentials({}, target=credentials)
    configured = bench_endpoints(settings)
    server = Server("ours", settings, leftovers=[configured])
    server.fresh_logs("actions", "rasa")
    start_assistant(server.processes, settings, credentials, configured, env=env, names=("actions", "rasa"), cwd=ROOT)
    return server


def bench_endpoints(settings: Settings) -> Path:
    """The endpoints `make run` uses (SQLite tracker store), with a fresh database of our own.

    The shared var/conversations.db would grow by thousands of conversations,
    and other servers writing to it would add lock waits to our figures.
    """
    config = endpoints(settings)
    database = WORK / "conversations.db"
    database.unlink(missing_ok=True)
    config["tracker_store"] = {**config["tracker_store"], "db": str(database.resolve())}
    path = WORK / "endpoints.yml"
    # It holds the action server's secret.
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return path


def start_stock(project: Path) -> Server:
    """The starter bot's Rasa server: it has no custom actions, so no action server."""
    settings = loopback_settings(project / "models")
    command = [
        RASA, "run", "--model", "models", "--interface", LOOPBACK, "--port", str(settings.rasa_port),
        "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
    ]
    server = Server("stock", settings)
    server.spawn("rasa", command, project, child_env(settings))
    return server


async def first_answer(server: Server) -> float:
    """Seconds from spawning the first process to the first answer; fails fast if one dies."""
    waiting = asyncio.create_task(wait_until_answering(server.settings, START_TIMEOUT_S))
    while not waiting.done():
        role = server.exited()
        if role is not None:
            waiting.cancel()
            raise RuntimeError(f"the {server.name} {role} process exited; see {log_path(server.name, role)}")
        await asyncio.wait({waiting}, timeout=0.2)
    waiting.result()
    return time.monotonic() - server.started


def run_timed(command: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path) -> float:
    """Seconds a command takes; raises when it fails or outlasts TRAIN_TIMEOUT_S."""
    started = time.monotonic()
    with open(log, "ab") as out:
        child = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = child.wait(TRAIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)
            child.wait()
            raise RuntimeError(f"{' '.join(command[:3])} took over {TRAIN_TIMEOUT_S:.0f} s; see {log}")
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed with code {code}; see {log}")
    return time.monotonic() - started
