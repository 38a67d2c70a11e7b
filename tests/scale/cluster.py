"""`python -m bot.runtime.serve` with several Rasa replicas on the machine's PostgreSQL and Redis, for tests."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Optional

import psycopg2
import requests

from bot.channels.platforms import platform_secrets
from bot.runtime.settings import Settings
from bot.runtime.endpoints import remove_endpoints
from bot.runtime.launcher import Processes, serve_command
from bot.runtime.processes import signal_group
from tests.conftest import ROOT
from tests.servers import LOGS, consecutive_free_ports

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_BASE = "redis://127.0.0.1:6379"
# Two Rasa servers loading at once on two cores take about a minute.
START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 60.0
SERVE = "bot.runtime.serve"


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test run; dropped afterwards, whatever happened."""
    name = f"rasa_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        # FORCE: a Rasa killed mid-test may leave a connection behind.
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(statement: str) -> None:
    connection = psycopg2.connect(ADMIN_URL, connect_timeout=5)
    try:
        # CREATE and DROP DATABASE cannot run inside a transaction.
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def random_redis_url() -> str:
    # Not db 0: whatever else uses this Redis most likely lives there.
    return f"{REDIS_BASE}/{random.randint(1, 15)}"


def stored_events(database_url: str, sender: str) -> list[dict]:
    """The user and bot events of ``sender``'s tracker as Rasa stored them, oldest first."""
    connection = psycopg2.connect(database_url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data FROM events WHERE sender_id = %s AND type_name IN ('user', 'bot') ORDER BY id", (sender,)
            )
            return [json.loads(data) for (data,) in cursor.fetchall()]
    finally:
        connection.close()


@dataclass
class ServeCluster:
    """The web front, N Rasa replicas and their action servers, all started by one `python -m bot.runtime.serve`."""

    settings: Settings
    env: dict[str, str]
    log: Path
    processes: Optional[Processes] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    @property
    def replica_urls(self) -> list[str]:
        return self.settings.rasa_urls

    @property
    def serve(self) -> Optional[subprocess.Popen]:
        """The one `python -m bot.runtime.serve` process, while it is started."""
        return None if self.processes is None else self.processes.named(SERVE)

    def start(self) -> None:
        self.processes = Processes(self.env)
        self.processes.start(serve_command(), name=SERVE, log=self.log, cwd=ROOT)
        try:
            self.wait_until_healthy(START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    def wait_until_healthy(self, timeout: float) -> None:
        """Until the front reports every replica up and every replica has answered a message."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.serve is not None and self.serve.poll() is not None:
                raise RuntimeError(f"bot.runtime.serve exited with {self.serve.returncode}; see {self.log}")
            if self._healthy() and all(self._answers(url) for url in self.replica_urls):
                return
            time.sleep(1.0)
        raise TimeoutError(f"the replicas were not all up within {timeout:.0f} s; see {self.log}")

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=5).json().get("status") == "ok"
        except (requests.RequestException, ValueError):
            return False

    def _answers(self, replica_url: str) -> bool:
        body = {"sender": f"probe-{uuid.uuid4().hex}", "message": "hello"}
        try:
            response = requests.post(f"{replica_url}/webhooks/rest/webhook", json=body, timeout=30)
            return response.status_code == 200 and bool(response.json())
        except (requests.RequestException, ValueError):
            return False

    def kill_replica(self, replica_url: str) -> int:
        """SIGKILL, no goodbye: the Rasa server of one replica; returns its pid."""
        port = replica_url.rsplit(":", 1)[1]
        pid = next(
            pid for pid, argv in self._children()
            if "run" in argv and "--port" in argv and argv[argv.index("--port") + 1] == port
        )
        signal_group(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        """SIGTERM to bot.runtime.serve, which stops its children; SIGKILL if it does not finish in time."""
        if self.processes is None:
            return
        # Found while it lives: each leads its own process group.
        children = [pid for pid, _ in self._children()]
        if self.processes.stop(STOP_TIMEOUT_S):
            for group in children:
                signal_group(group, signal.SIGKILL)
            # Killed, bot.runtime.serve could not delete its endpoints files (each holds the action secret).
            remove_endpoints(self.settings)
        self.processes = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def _children(self) -> list[tuple[int, list[str]]]:
        """(pid, argv) of bot.runtime.serve's child processes (each leads its own session)."""
        if self.serve is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.serve.pid:
                found.append((int(entry.name), argv))
        return found


def new_cluster(name: str, database_url: str, redis_url: str, replicas: int = 2) -> ServeCluster:
    """A cluster on fresh ports (not started); the same object restarts on the same ports and stores."""
    # One run of ports for everything, so that the ranges cannot overlap.
    base = consecutive_free_ports(2 * replicas + 1)
    settings = replace(
        Settings.from_env({}),
        rasa_port=base, action_port=base + replicas, web_port=base + 2 * replicas,
        rasa_replicas=replicas, database_url=database_url, redis_url=redis_url, web_host="127.0.0.1",
    )
    # No variable that would connect a real platform (and register its webhook) from a test.
    env = {k: v for k, v in os.environ.items() if k not in platform_secrets()}
    env.update(
        RASA_PORT=str(settings.rasa_port), ACTION_PORT=str(settings.action_port), WEB_PORT=str(settings.web_port),
        WEB_HOST=settings.web_host, RASA_REPLICAS=str(replicas), DATABASE_URL=database_url, REDIS_URL=redis_url,
        MODEL=settings.model,
        # Every test comes from 127.0.0.1; the limiter has tests of its own.
        WEB_BURST="100000",
    )
    LOGS.mkdir(parents=True, exist_ok=True)
    return ServeCluster(settings, env, LOGS / f"{name}-serve.log")

