"""The Rasa server's command: it refuses to start on a Rasa version its patches were not tested on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.paths import ROOT
from bot.server import patches


def test_the_installed_rasa_is_the_tested_one() -> None:
    patches.check_version()


@pytest.mark.parametrize("version", ["3.6.20", "3.6.22", "3.7.0", "4.0.0"])
def test_an_untested_rasa_version_stops_with_both_versions_named(version: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        patches.check_version(version)
    assert version in str(stopped.value) and patches.TESTED_RASA_VERSION in str(stopped.value)


def test_the_command_stops_before_serving_on_an_untested_version() -> None:
    # The command as serve.py starts it, with Rasa reporting another version.
    script = (
        "import rasa, sys; rasa.__version__ = '3.7.0'; import rasa.version; rasa.version.__version__ = '3.7.0'; "
        "sys.argv = ['rasa', '--version']; from bot.server.main import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Rasa 3.7.0 is installed" in done.stderr and "tested on Rasa 3.6.21" in done.stderr


def test_the_server_loads_rasa_and_tensorflow_without_jax() -> None:
    # What the command imports before serving: Rasa's actions and policies pull in TensorFlow, which must
    # still import, and without JAX (docs/performance.md: about 65 MB of the server's memory).
    script = (
        "import bot.server.main, sys; from bot.server import patches; patches.install(); "
        "import rasa.core.agent, tensorflow; "
        "print(sys.modules.get('jax') is None, 'jaxlib' in sys.modules, tensorflow.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[:2] == ["True", "False"], done.stdout
