#!/usr/bin/env bash
# Build the single-file app (packaging/build_app.sh, a few minutes) so that
# tests/web/test_packaged_app.py can start it and drive it with the browser.
set -euo pipefail
cd "$(dirname "$0")/../.."
python -m pip install -q -e .
bash packaging/build_app.sh
