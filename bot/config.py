"""Settings, read once from the environment into one frozen dataclass."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping, Optional


class ConfigError(ValueError):
    """An environment variable holds a value the assistant cannot use."""


@dataclass(frozen=True)
class Settings:
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    # Rasa and the action server listen here; only the web front is public.
    internal_host: str = "127.0.0.1"
    web_host: str = "0.0.0.0"
    model: str = "models/current.tar.gz"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        values = {}
        for field in fields(cls):
            raw = env.get(field.name.upper())
            if raw is None or raw == "":
                continue
            values[field.name] = _convert(field.name, raw, field.type)
        return cls(**values)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.internal_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.internal_host}:{self.action_port}"


def _convert(name: str, raw: str, kind: object) -> object:
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name.upper()} must be a whole number, not {raw!r}") from None
    return raw
