"""The action server: it answers Rasa's calls only, and starts only on a sound fact store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot.paths import ROOT
from bot.runtime.processes import free_port


def start(**env: str) -> subprocess.CompletedProcess:
    """``python -m bot.runtime.action_server`` with ``env``, expected to refuse to start."""
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.action_server"], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_it_refuses_to_start_without_rasas_secret() -> None:
    refused = start(ACTION_TOKEN="")
    assert refused.returncode == 1
    assert "ACTION_TOKEN is not set" in refused.stderr


def test_it_refuses_to_start_on_a_broken_fact_store(tmp_path: Path) -> None:
    (tmp_path / "missions.yml").write_text("records: [\n", encoding="utf-8")
    refused = start(ACTION_TOKEN="t0ken", FACTS_DIR=str(tmp_path), ACTION_PORT=str(free_port()))
    assert refused.returncode == 1
    assert "refusing to start: fact store error: missions.yml: is not valid YAML" in refused.stderr


@pytest.mark.servers
def test_calls_without_rasas_secret_are_refused(assistant) -> None:  # type: ignore[no-untyped-def]
    call = {"next_action": "action_answer_topic", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.21"}
    url = f"{assistant.settings.action_url}/webhook"
    assert requests.post(url, json=call, timeout=10).status_code == 403
    assert requests.post(url, params={"token": "guess"}, json=call, timeout=10).status_code == 403
    assert requests.get(f"{assistant.settings.action_url}/actions", timeout=10).status_code == 403
