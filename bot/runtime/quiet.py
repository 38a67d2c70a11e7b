"""Third-party warnings kept off the operator's terminal and the logs, named by the libraries that raise them.

Rasa 3.6 pins these libraries; their deprecation notices (pkg_resources,
pyparsing, click, typer, matplotlib, sanic_cors, SQLAlchemy 2.0) name their
own next versions and are nothing an operator can act on. Warnings raised in
the project's own code, and by any library not named here, stay visible.

The warnings are dropped where they are shown, not by ``warnings`` filters:
Sanic and Rasa put filters of their own in front of any made before them
("once" for every DeprecationWarning and UserWarning).
pyproject.toml filters the same libraries for the tests.
"""

from __future__ import annotations

import warnings
from pathlib import PurePath
from typing import Any, Optional

LIBRARIES = frozenset({
    "importlib", "pkg_resources", "apscheduler", "typer", "click", "spacy", "tensorflow", "keras", "jax",
    "matplotlib", "packaging", "sanic", "sanic_cors", "sanic_routing", "google", "flatbuffers", "pydantic",
    "sqlalchemy", "rasa", "rasa_sdk", "websockets", "socketio", "engineio", "aiogram", "slack_sdk", "dask",
    "networkx", "absl", "h5py",
})
# Rasa's own notices at every start, about features this project does not use.
RASA_NOTICES = ("Slot auto-fill has been removed",)


def library_of(filename: str) -> Optional[str]:
    """The installed package a source file belongs to ("matplotlib"), or None for anything else."""
    parts = PurePath(filename).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return parts[parts.index(marker) + 1].removesuffix(".py")
    return "importlib" if filename.startswith("<frozen importlib") else None


def hushed(message: Any, category: type[Warning], filename: str) -> bool:
    library = library_of(filename)
    if library not in LIBRARIES:
        return False
    if issubclass(category, DeprecationWarning):
        return True
    return library == "rasa" and any(str(message).startswith(notice) for notice in RASA_NOTICES)


def hush_libraries() -> None:
    """From now on, the named libraries' deprecation notices are not shown."""
    show = warnings.showwarning
    if getattr(show, "hushing", False):
        return

    def show_unless_hushed(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if not hushed(message, category, filename):
            show(message, category, filename, lineno, file, line)

    show_unless_hushed.hushing = True  # type: ignore[attr-defined]
    warnings.showwarning = show_unless_hushed
