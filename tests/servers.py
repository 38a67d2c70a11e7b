"""Starting the real assistant (action server, Rasa server, web front) for tests."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from bot.runtime.settings import Settings
from bot.runtime.endpoints import remove_endpoints, write_endpoints
from bot.runtime.launcher import (
    Processes, child_env, credentials_file, start_assistant as start_servers, wait_until_answering, with_action_token,
    write_credentials,
)
from bot.runtime.processes import free_port, port_is_free
from bot.paths import MODEL, ROOT

LOGS = ROOT / "tests" / "artifacts"


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` free loopback ports in a row: Rasa replicas are numbered by port."""
    for _ in range(100):
        base = free_port()
        if all(port_is_free(base + i) for i in range(1, count)):
            return base
    raise RuntimeError(f"no {count} free ports in a row")


@dataclass
class Assistant:
    settings: Settings
    processes: Processes

    @property
    def rest_url(self) -> str:
        return f"{self.settings.rasa_url}/webhooks/rest/webhook"

    def stop(self) -> None:
        self.processes.stop(grace=15.0)
        remove_endpoints(self.settings)


def logs_of(name: str) -> Callable[[str], Path]:
    """Each process's log in tests/artifacts, by its role: ``<name>-actions.log``, ``<name>-rasa.log``."""
    return lambda role: LOGS / f"{name}-{role}.log"


def require_model() -> Path:
    """The model `make run` serves; without it the test fails, saying how to make one."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL.relative_to(ROOT)} is missing: run `make train` (make test trains first)")
    return MODEL


def loopback_settings(**changes: Any) -> Settings:
    """The default settings on free loopback ports, with ``changes``."""
    return replace(
        Settings.from_env({}), rasa_port=free_port(), action_port=free_port(), web_port=free_port(), **changes
    )


def start_assistant(name: str, settings: Optional[Settings] = None, extra_env: Optional[dict] = None) -> Assistant:
    """Start the action server and the Rasa server on free ports; wait for a first answer."""
    require_model()
    settings = with_action_token(settings or loopback_settings())
    env = {**child_env(settings), **(extra_env or {})}
    LOGS.mkdir(parents=True, exist_ok=True)
    write_credentials(os.environ, credentials_file(settings))
    processes = Processes(env, logs=logs_of(name))
    start_servers(
        processes, settings, credentials_file(settings), write_endpoints(settings), env=env, names=("actions", "rasa"),
        cwd=ROOT,
    )
    assistant = Assistant(settings, processes)
    try:
        asyncio.run(wait_until_answering(settings))
    except Exception:
        assistant.stop()
        raise
    return assistant


def running(name: str) -> Iterator[Assistant]:
    assistant = start_assistant(name)
    try:
        yield assistant
    finally:
        assistant.stop()
