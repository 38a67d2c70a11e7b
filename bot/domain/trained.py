"""The in-domain readers' models, fitted once and kept beside the Rasa model.

The language classifier and the clause reader are fitted from the NLU
training data and the fact store (1.5 s and 5 s of CPU). Fitted at every
start, they delayed the first answer and competed with Rasa loading its model;
`make train` now fits them once into ``models/readers/``, and each process
reads them back in milliseconds. A file is used only while its key matches:
the key covers the data, the store, the reading code and scikit-learn's
version, so any change to them fits the model again (and keeps it).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from bot.paths import FACTS_DIR, MODELS_DIR, NLU_DATA

READERS = MODELS_DIR / "readers"
# What a model is fitted from, and how: a change to any of these fits it again.
INPUTS = (NLU_DATA, FACTS_DIR, Path(__file__).parent)

T = TypeVar("T")


def key(inputs: Iterable[Path] = INPUTS) -> str:
    """A digest of every data and code file under ``inputs``, and of scikit-learn's version."""
    import sklearn

    digest = hashlib.sha256(sklearn.__version__.encode())
    for folder in inputs:
        for path in sorted(p for p in folder.rglob("*") if p.suffix in {".yml", ".py"}):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_or_fit(name: str, fit: Callable[[], T], folder: Path = READERS) -> T:
    """The model kept as ``name`` if its key is current, else ``fit()``'s, kept for the next process."""
    path = folder / f"{name}.pkl"
    current = key()
    try:
        with open(path, "rb") as handle:
            # Only this project writes here, beside the Rasa model (which is unpickled as well).
            kept, model = pickle.load(handle)
        if kept == current:
            return model
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        pass  # none kept yet, or unreadable: fit it
    model = fit()
    _keep(path, (current, model))
    return model


def _keep(path: Path, value: object) -> None:
    """Written whole or not at all: replicas starting together may write it at once."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only checkout still answers; it fits again next start
