"""Starting the real assistant (action server, Rasa server, web front) for tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from bot.runtime.settings import Settings
from bot.runtime.endpoints import remove_endpoints, write_endpoints
from bot.runtime.processes import free_port, port_is_free, stop_groups
from bot.runtime.serve import (
    action_command, child_env, credentials_file, rasa_command, wait_until_answering, with_action_token,
    write_credentials,
)
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
    children: list[subprocess.Popen]

    @property
    def rest_url(self) -> str:
        return f"{self.settings.rasa_url}/webhooks/rest/webhook"

    def stop(self) -> None:
        stop_groups(self.children)
        remove_endpoints(self.settings)


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
    children = []
    write_credentials(os.environ, credentials_file(settings))
    rasa = rasa_command(settings, credentials_file(settings), write_endpoints(settings))
    for role, command in (("actions", action_command()), ("rasa", rasa)):
        log = open(LOGS / f"{name}-{role}.log", "ab")
        children.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    assistant = Assistant(settings, children)
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
