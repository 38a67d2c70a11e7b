"""Third-party warnings stay off the terminal; the project's own stay visible."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.paths import ROOT
from bot.runtime.quiet import hushed, library_of

# What the Rasa server imports at start-up, each of which warned on the terminal before.
SCRIPT = """
from bot.runtime.quiet import hush_libraries
hush_libraries()
import rasa.core.agent, rasa.core.run, sanic_cors, matplotlib.font_manager, apscheduler
import rasa.core.tracker_store
import warnings
warnings.warn("the project's own notice", DeprecationWarning)
"""


def test_library_warnings_are_hushed_and_the_projects_own_shown() -> None:
    # -W default shows every warning once, as an operator's Python would after a library enables them.
    # TensorFlow's C++ log level is the Makefile's, as for every process it starts.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "Warning:" in line]
    assert warnings == [line for line in warnings if "the project's own notice" in line]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    ("filename", "library"),
    [
        ("/v/lib/python3.10/site-packages/matplotlib/fontconfig_pattern.py", "matplotlib"),
        ("/v/lib/python3.10/site-packages/six.py", "six"),
        ("/work/bot/web/app.py", None),
        ("<frozen importlib._bootstrap>", "importlib"),
        ("<string>", None),
    ],
)
def test_a_warnings_library_is_read_from_its_file(filename: str, library: str) -> None:
    assert library_of(filename) == library


def test_only_named_libraries_deprecations_are_hushed() -> None:
    sanic = "/v/site-packages/sanic/app.py"
    assert hushed("old", DeprecationWarning, sanic)
    assert not hushed("a real problem", UserWarning, sanic)
    assert not hushed("old", DeprecationWarning, "/v/site-packages/newlib/x.py")
    assert not hushed("old", DeprecationWarning, str(ROOT / "bot" / "web" / "app.py"))
    assert hushed("Slot auto-fill has been removed in 3.0", UserWarning, "/v/site-packages/rasa/shared/x.py")
