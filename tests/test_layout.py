"""The tests' own layout: each test module and each class under tests/ has a name of its own.

Two ``test_app.py`` or two ``Visitor`` classes make a failure report, an
import or a search ambiguous: which one is meant?
"""

from __future__ import annotations

import ast
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
