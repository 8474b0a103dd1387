#!/usr/bin/env bash
# CI: the scale tests (a Prefect server on PostgreSQL, two process workers, overlapping runs,
# serve, the late-run policy). Installs PostgreSQL from the Debian packages when it is missing
# (CI runs as root); the tests then run their own throwaway cluster on 127.0.0.1 and a free
# port, so a system cluster the package may have started is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export DO_NOT_TRACK=1

have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

if ! have_postgres; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: PostgreSQL is not installed (run as root, or: sudo apt-get install -y postgresql)" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

make install
if ! .venv/bin/python -c "import asyncpg" 2>/dev/null; then
  echo "error: asyncpg is missing from .venv (it belongs in the dev extra of pyproject.toml)" >&2
  exit 1
fi

started=$(date +%s)
.venv/bin/pytest -q -m scale tests/ops
echo "scale tests: $(( $(date +%s) - started )) s"
