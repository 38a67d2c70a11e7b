"""A new language is data alone: a copy of the project with a toy language added passes the parity and detection checks.

The toy language (tests/data/toy_language.yml) is English with every word
spelt backwards. The test copies the project, appends the toy's entry to the
copy's registry and writes its texts where every language's texts live
(training and held-out NLU data, a response variant in domain.yml, a text in
every fact record, the channel messages and the page's strings) without
touching a line of Python, then runs the parity tests and the language
detection tests in the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tests.conftest import ROOT

TOY = yaml.safe_load((ROOT / "tests" / "data" / "toy_language.yml").read_text(encoding="utf-8"))
CODE = TOY["code"]
# What is no word to spell backwards: a placeholder or role ("{count}", '{"entity": ...}'),
# an entity's name after its text ("](place)"), a link's address, a number.
_KEEP = re.compile(r"\{[^{}]*\}|\]\([^)]*\)|https?://\S+|[^\W\d_]+")
_IGNORED = shutil.ignore_patterns(".git", ".venv", "models", "var", "results", "reports", "node_modules", "__pycache__", "images")


def backwards(text: str) -> str:
    """``text`` in the toy language: each word spelt backwards, everything else as it is."""
    return _KEEP.sub(lambda m: m.group()[::-1] if m.group().isalpha() else m.group(), text)


def _dump(path: Path, document: Any) -> None:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _translate(node: Any) -> Any:
    """Every mapping with an English value gains the toy's, made from it (facts, messages, strings)."""
    if isinstance(node, dict):
        translated = {key: _translate(value) for key, value in node.items()}
        if "en" in node and CODE not in node:
            english = node["en"]
            translated[CODE] = [backwards(a) for a in english] if isinstance(english, list) else backwards(str(english))
        return translated
    if isinstance(node, list):
        return [_translate(item) for item in node]
    return node


def _nlu(source: Path, target: Path) -> None:
    target.mkdir()
    for path in source.glob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in document.get("nlu") or []:
            if "examples" in item:
                item["examples"] = "\n".join(
                    f"- {backwards(line[2:])}" if line.startswith("- ") else line for line in item["examples"].splitlines()
                ) + "\n"
        _dump(target / path.name, document)


def _domain(path: Path) -> None:
    domain = yaml.safe_load(path.read_text(encoding="utf-8"))
    for variants in domain["responses"].values():
        english = next(v for v in variants if not v.get("condition"))
        toy = {
            "condition": [{"type": "slot", "name": "language", "value": CODE}],
            "text": backwards(english["text"]),
        }
        if english.get("buttons"):
            toy["buttons"] = [{"title": backwards(b["title"]), "payload": b["payload"]} for b in english["buttons"]]
        variants.append(toy)
    _dump(path, domain)


def _each_yaml(folder: Path, change: Callable[[Any], Any]) -> None:
    for path in folder.glob("*.yml"):
        _dump(path, change(yaml.safe_load(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def project_with_toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("toy") / "project"
    shutil.copytree(ROOT, copy, ignore=_IGNORED)
    registry = yaml.safe_load((copy / "bot" / "languages.yml").read_text(encoding="utf-8"))
    registry["languages"].append(TOY)
    _dump(copy / "bot" / "languages.yml", registry)
    _nlu(copy / "data" / "nlu" / "en", copy / "data" / "nlu" / CODE)
    _nlu(copy / "tests" / "nlu" / "en", copy / "tests" / "nlu" / CODE)
    _domain(copy / "domain.yml")
    _each_yaml(copy / "bot" / "facts", _translate)
    for data in (copy / "bot" / "channels" / "messages.yml", copy / "bot" / "web" / "strings.yml"):
        _dump(data, _translate(yaml.safe_load(data.read_text(encoding="utf-8"))))
    return copy


def test_no_python_changes_to_add_the_toy(project_with_toy: Path) -> None:
    changed = [
        str(path.relative_to(project_with_toy)) for path in project_with_toy.rglob("*.py")
        if path.read_bytes() != (ROOT / path.relative_to(project_with_toy)).read_bytes()
    ]
    assert changed == []


def test_the_toy_language_passes_the_parity_and_detection_checks(project_with_toy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(project_with_toy)}
    env.pop("LANGUAGES_FILE", None)
    checks = [
        "tests/test_parity.py",
        "tests/bot/domain/test_langid.py::test_each_languages_held_out_sentences_are_told_as_that_language",
        "tests/data/toy_checks.py",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *checks],
        cwd=project_with_toy, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # The checks ran for the toy, not around it.
    ran = [line for line in result.stdout.splitlines() if " PASSED" in line]
    assert sum(CODE in line for line in ran) >= 4 and any("toy_checks.py" in line for line in ran), result.stdout[-4000:]
    assert "SKIPPED" not in result.stdout
