"""The endpoints file Rasa runs with: ``endpoints.yml`` plus the settings.

Ports and stores come from the environment, so the effective file is written
into ``var/`` at start-up rather than kept with placeholders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

RUNTIME_DIR = Path("var")
BASE = Path("endpoints.yml")


def endpoints(settings: Settings, base: Path = BASE) -> dict[str, Any]:
    config = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    config["action_endpoint"] = {**config.get("action_endpoint", {}), "url": f"{settings.action_url}/webhook"}
    return config


def write_endpoints(settings: Settings, directory: Path = RUNTIME_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"endpoints-{settings.rasa_port}.yml"
    path.write_text(yaml.safe_dump(endpoints(settings), sort_keys=False), encoding="utf-8")
    return path
