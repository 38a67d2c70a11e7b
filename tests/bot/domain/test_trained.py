"""The readers' models kept in models/readers: fitted once, read back while their key holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain import trained
from tests.conftest import ROOT


def _fit_counting(calls: list[str], value: str):  # type: ignore[no-untyped-def]
    def fit() -> str:
        calls.append(value)
        return value

    return fit


def test_a_kept_model_is_read_back_without_fitting(tmp_path: Path) -> None:
    calls: list[str] = []
    assert trained.load_or_fit("reader", _fit_counting(calls, "first"), tmp_path) == "first"
    assert trained.load_or_fit("reader", _fit_counting(calls, "second"), tmp_path) == "first"
    assert calls == ["first"]


def test_a_changed_key_fits_again_and_keeps_the_new_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    trained.load_or_fit("reader", _fit_counting(calls, "old"), tmp_path)
    monkeypatch.setattr(trained, "key", lambda: "the data changed")
    assert trained.load_or_fit("reader", _fit_counting(calls, "new"), tmp_path) == "new"
    assert trained.load_or_fit("reader", _fit_counting(calls, "newer"), tmp_path) == "new"
    assert calls == ["old", "new"]


def test_an_unreadable_file_is_fitted_over(tmp_path: Path) -> None:
    (tmp_path / "reader.pkl").write_bytes(b"not a pickle")
    assert trained.load_or_fit("reader", lambda: "fitted", tmp_path) == "fitted"
    assert trained.load_or_fit("reader", lambda: "again", tmp_path) == "fitted"


def test_a_folder_it_cannot_write_still_gives_the_model(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert trained.load_or_fit("reader", lambda: "fitted", blocked / "readers") == "fitted"


@pytest.mark.parametrize("change", ["edit", "add"])
def test_the_key_follows_every_data_file(tmp_path: Path, change: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.yml").write_text("- hello\n")
    before = trained.key([tmp_path])
    if change == "edit":
        (tmp_path / "en" / "a.yml").write_text("- hello there\n")
    else:
        (tmp_path / "en" / "b.yml").write_text("- hi\n")
    assert trained.key([tmp_path]) != before


def test_nlu_fit_keeps_both_readers_for_the_next_process(tmp_path: Path) -> None:
    # As `make train` runs it: it writes the project's own models/readers, as training does.
    subprocess.run([sys.executable, "-m", "bot", "nlu", "fit"], cwd=tmp_path, check=True, timeout=300)
    for name in ("langid", "clauses"):
        kept = ROOT / "models" / "readers" / f"{name}.pkl"
        assert kept.is_file(), f"{kept} was not written"
    probe = (
        "from bot.domain import clauses, langid, trained\n"
        "def refuse(): raise SystemExit('fitted again')\n"
        "assert trained.load_or_fit('langid', refuse) and trained.load_or_fit('clauses', refuse)\n"
        "print(langid.classify('cuantos policias'))\n"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "es"
