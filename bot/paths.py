"""Where the project's files are, every path anchored on the project root.

The processes may start from any working directory (a test's, a service
manager's); none of the assistant's paths depends on it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain.yml"
CREDENTIALS_TEMPLATE = ROOT / "credentials.yml"
FACTS_DIR = ROOT / "bot" / "facts"
NLU_DATA = ROOT / "data" / "nlu"
LOOKUPS_DIR = ROOT / "data" / "lookups"
RULES_DIR = ROOT / "data" / "rules"
MODELS_DIR = ROOT / "models"
MODEL = MODELS_DIR / "current.tar.gz"
# Conversations, effective endpoints and credentials, logs: the owner's alone.
# VAR_DIR moves it (an absolute path; the settings check it); the tests give
# every run a folder of its own, so the checkout's conversations stay the owner's.
VAR = Path(os.environ.get("VAR_DIR") or ROOT / "var")
ENDPOINTS_TEMPLATE = ROOT / "endpoints.yml"
# What the development tools write: benchmark and evaluation results, reports.
RESULTS = ROOT / "results"
REPORTS = ROOT / "reports"
