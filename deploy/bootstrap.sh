#!/usr/bin/env bash
# bootstrap.sh - make a fresh machine ready: Debian packages (Java 17, Maven, PostgreSQL server and
# client tools, kcat, Chromium) when missing, the project's virtualenv with its pip packages, and the Kafka jars.
# Idempotent and quick when everything is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
say() { echo "bootstrap: $*" >&2; }

apt_install() {
  [[ "$(id -u)" == 0 ]] || { say "missing Debian packages: $* (run as root or install them)"; exit 1; }
  say "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# pg_dump and pg_restore (deploy/drill-restore), also when the server is someone else's
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
command -v kcat >/dev/null || need+=(kcat)
# The web front end's browser tests (tests/web, headless): pytest-playwright-asyncio launches this
# chromium (/usr/bin/chromium); `playwright install` is never run, no browser is downloaded.
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)  # for WebDriver clients; Playwright drives chromium directly
fc-list 2>/dev/null | grep -q WenQuanYi || need+=(fonts-wqy-microhei)  # Chinese glyphs for its screenshots
if ((${#need[@]})); then apt_install "${need[@]}"; fi

PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Python 3.11+ is needed ($PY)"; exit 1; }
stamp="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
if [[ "$(cat "$VENV/.tuoguan-stamp" 2>/dev/null)" != "$stamp" ]]; then
  say "installing Python packages into $VENV"
  { "$VENV/bin/python" -m pip install --disable-pip-version-check -U pip \
    && "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT[dev]"; } >"$VENV/pip.log" 2>&1 \
    || { tail -n 30 "$VENV/pip.log" >&2; say "pip install failed (full log: $VENV/pip.log)"; exit 1; }
  echo "$stamp" >"$VENV/.tuoguan-stamp"
fi

bash "$ROOT/deploy/kafka/kafka-local.sh" fetch
