#!/usr/bin/env bash
# The snapshot benchmark (issue 4, scope 6): builds the extension (scripts/build-extension.sh, release wasm), the
# CLI/daemon and the bench binary in RELEASE, then runs tests/src/bin/snapshot_bench.rs against the bench-table.html
# fixture at 100, 1000 and 3000 rows in one headless Chromium. Prints one table (plus JSON lines with --json).
# Usage: bash scripts/bench-snapshot.sh [--json] [--rows 100,1000,3000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/build-extension.sh >&2
cargo build --release -p opendevbrowser >&2
cargo build --release -p odb-e2e --bin snapshot_bench >&2
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export ODB_BIN="${ODB_BIN:-$TARGET_DIR/release/opendevbrowser}"
exec "$TARGET_DIR/release/snapshot_bench" "$@"
