"""The layout: tests that mirror the code under names of their own, and docs that describe this tree.

Two ``test_app.py`` or two ``Visitor`` classes make a failure report, an
import or a search ambiguous: which one is meant? A module moved or added
without its test, its line in README.md or the docs that name it fails here.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from bot.paths import ROOT

TESTS = ROOT / "tests"
# pytest's own per-folder files, and package markers: one in each folder by design.
PER_FOLDER = {"__init__.py", "conftest.py"}


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def shared(names: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: places for name, places in names.items() if len(places) > 1}


def test_no_two_test_modules_share_a_name() -> None:
    modules = defaultdict(list)
    for path in python_files():
        if path.name not in PER_FOLDER:
            modules[path.name].append(str(path.relative_to(ROOT)))
    assert shared(modules) == {}


def test_no_two_classes_under_tests_share_a_name() -> None:
    classes = defaultdict(list)
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes[node.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert shared(classes) == {}


# --- tests mirror the code ---

CODE = ("bot", "actions", "tools")
# Modules of bot/ without a tests/bot/<package>/test_<module>.py, and where they are tested instead.
UNMIRRORED = {
    "bot/__main__.py": "the command line of `make facts` and of the NLU export: what it runs is tested in "
                       "tests/bot/domain/test_store.py and tests/bot/nlu/test_data.py",
    "bot/paths.py": "constants used by every test; tests/bot/runtime/test_privacy.py runs `make purge` from "
                    "another folder to show they do not depend on it",
    "bot/channels/platforms.py": "the registry of channels, in tests/bot/channels/test_channel_registry.py "
                                 "(tests/bot/web/test_platforms.py holds the platforms' webhooks end to end)",
    "bot/channels/rest.py": "Rasa's REST channel with the additions of bot/channels/base.py (tests/bot/channels/"
                            "test_base.py), talked to as integrators do in tests/conversations/test_rest.py",
    "bot/web/__main__.py": "`python -m bot.web`, started as `make run` starts it by tests/bot/web/test_front_process.py",
    "bot/web/edge.py": "the rate limiter and client addresses, in tests/bot/web/test_app.py and test_attacks.py",
    "bot/web/frames.py": "socket.io packets however framed, in tests/bot/web/test_attacks.py",
    "bot/web/guard.py": "connection limits, measured on the front's own process in tests/bot/web/test_front_process.py",
    "bot/web/proxy.py": "forwarding HTTP and websockets to Rasa, in tests/bot/web/test_stack.py",
    "bot/web/widget.py": "the page and the widget script, in tests/bot/web/test_origins.py, test_browser.py and "
                        "test_embed.py",
}


def modules(package: str) -> list[str]:
    """Every module of ``package`` (bot, actions, tools), as a path from the project root."""
    return sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / package).rglob("*.py") if path.name != "__init__.py"
    )


def packages() -> list[str]:
    """Every package of the code, as ``bot/domain/``."""
    return sorted(f"{path.parent.relative_to(ROOT)}/" for name in CODE for path in (ROOT / name).rglob("__init__.py"))


def mirror(module: str) -> Path:
    """``bot/domain/store.py`` -> ``tests/bot/domain/test_store.py``."""
    path = Path(module)
    return TESTS / path.parent / f"test_{path.name}"


def test_every_bot_module_has_its_test_module_or_says_where_it_is_tested() -> None:
    untested = [m for m in modules("bot") if not mirror(m).exists() and m not in UNMIRRORED]
    assert untested == []
    # An exception that is no longer one (its test module exists, or the module has gone) goes.
    stale = [m for m in UNMIRRORED if mirror(m).exists() or not (ROOT / m).exists()]
    assert stale == []


# --- the docs describe this tree ---

# A path in the code's folders, as the docs write one: `bot/web/app.py`, `tools/report/`.
CODE_PATH = re.compile(r"\b(?:bot|actions|tools|tests)/[\w/]*?\w+(?:\.py|/)(?!\w)")


def readme_layout() -> str:
    """README.md's "How it works" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## How it works")
    return text[start:text.index("\n## ", start)]


def test_the_readme_lists_every_package_and_module_once() -> None:
    listed = re.findall(r"^\s*- `((?:bot|actions|tools)/[\w/.]*)`", readme_layout(), re.MULTILINE)
    code = packages() + [module for name in CODE for module in modules(name)]
    assert sorted(listed) == sorted(code)


def test_the_docs_name_only_files_and_folders_that_exist() -> None:
    missing = [
        f"{doc.name}: {path}"
        for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for path in CODE_PATH.findall(doc.read_text(encoding="utf-8"))
        if not (ROOT / path).exists()
    ]
    assert missing == []


def test_the_tests_keep_conversations_and_logs_outside_the_checkout() -> None:
    # conftest.py gives each run its own VAR_DIR: `make report` on a working copy shows visitors, not tests.
    from bot.paths import VAR
    from bot.runtime.settings import Settings

    assert not VAR.resolve().is_relative_to(ROOT)
    assert Settings.from_env({}).runtime_dir == VAR
