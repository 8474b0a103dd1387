"""Test isolation: no REPORTWATCH_* or Prefect setting leaks in from the developer's shell.

Prefect's environment must be set before anything imports prefect, hence module level.
Flow tests share one session-scoped ``prefect_test_harness`` (see tests/flows/conftest.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP = tempfile.mkdtemp(prefix="reportwatch-tests-")


def _find_realpdf_dir() -> Path:
    """Real ODS PDFs (never in the repository): ``REPORTWATCH_REALPDF_DIR``, else the first
    ``shared/realpdf`` beside the repository or one of the folders above it (a clone in
    ``work/main`` finds ``work/shared/realpdf``; one in ``work/ci/main`` finds it too)."""
    configured = os.environ.get("REPORTWATCH_REALPDF_DIR")
    if configured:
        return Path(configured)
    root = Path(__file__).resolve().parents[1]
    for folder in root.parents:
        if (folder / "shared" / "realpdf" / "manifest.json").is_file():
            return folder / "shared" / "realpdf"
    return root.parent / "shared" / "realpdf"


# Read before the REPORTWATCH_* settings are cleared below.
REALPDF_DIR = _find_realpdf_dir()
for _name in list(os.environ):
    if _name.startswith(("REPORTWATCH_", "PREFECT_")):
        del os.environ[_name]
os.environ["PREFECT_HOME"] = os.path.join(_TMP, "prefect-home")
os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = os.path.join(_TMP, "prefect-results")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ["PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"] = "ignore"

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_reportwatch_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Iterator[None]:
    """Each test starts with no REPORTWATCH_* variable and a private data dir."""
    for name in list(os.environ):
        if name.startswith("REPORTWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REPORTWATCH_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    yield


@pytest.fixture(scope="session")
def realpdf_dir() -> Path:
    """The folder of real ODS PDFs and their manifest.json; skips when it is absent."""
    if not (REALPDF_DIR / "manifest.json").is_file():
        pytest.skip(
            f"no real ODS PDFs at {REALPDF_DIR} (a fresh clone elsewhere): put them in "
            "../shared/realpdf or set REPORTWATCH_REALPDF_DIR"
        )
    return REALPDF_DIR
