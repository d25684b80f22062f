#!/usr/bin/env bash
# Issue 25 soak (not in CI): 30 minutes of decisions, events and checkout flows on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/soak.py --minutes "${SOAK_MINUTES:-30}" "$@"
