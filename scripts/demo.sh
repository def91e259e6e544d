#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build the extension and the CLI, start the daemon and
# relay, open Chromium with the extension, let it auto-pair, and drive the fixture login page through the CLI.
# Pass --headed to see the browser (needs a display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-extension.sh
cargo build --locked -p opendevbrowser -p odb-e2e --bins
exec ./target/debug/demo "$@"
