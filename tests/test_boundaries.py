"""The rooms of DESIGN.md: third-party libraries are used only at their boundary.

Only ``warehouse/`` talks to DuckDB, only the fetcher and the notifiers to the network, only
the extractor to pdfplumber/pdfminer; everything above them sees our own exception tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("flows", "tasks", "warehouse", "reportwatch", "deployments")

ALLOWED = {
    "duckdb": ("warehouse/",),
    # deployments/automations.py: only to report that the Prefect API (an httpx client) is down
    "httpx": (
        "tasks/fetch/client.py",
        "tasks/fetch/http.py",
        "tasks/fetch/policy.py",
        "tasks/alerts/notifiers/",
        "tasks/alerts/notify.py",
        "tasks/alerts/channels.py",  # the Slack transport it hands on (tests inject one)
        "deployments/automations.py",
    ),
    "pdfplumber": (
        "tasks/read/extract.py",
        "tasks/read/pdf_pages.py",  # the page tree, walked before any page is built
        "tasks/read/pdf_lines.py",
        "tasks/read/paragraphs.py",
        "tasks/read/tables.py",  # the table finder, run on our own words
    ),
    "pdfminer": (
        "tasks/read/extract.py",
        "tasks/read/pdf_pages.py",
        "tasks/read/pdf_lines.py",
        "tasks/read/paragraphs.py",
    ),
    "smtplib": ("tasks/alerts/notifiers/email.py",),
    "idna": ("tasks/alerts/notifiers/addresses.py",),  # IDNAError mapped to ConfigError there
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_third_party_libraries_stay_behind_their_boundary() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for library in _imports(path) & set(ALLOWED):
                if not rel.startswith(ALLOWED[library]):
                    offenders.append(f"{rel} imports {library}")
    assert offenders == []


def test_the_boundary_test_sees_real_imports() -> None:
    # guard against a test that cannot fail: the scan must find the known users
    assert "duckdb" in _imports(ROOT / "warehouse" / "connection.py")
    assert "httpx" in _imports(ROOT / "tasks" / "fetch" / "client.py")
    assert "pdfplumber" in _imports(ROOT / "tasks" / "read" / "extract.py")
