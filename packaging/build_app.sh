#!/usr/bin/env bash
# Build the app as one file that starts with a double-click: dist/unshared-app (Linux).
# The same command builds dist/unshared-app.exe on Windows (Git Bash) and dist/unshared-app on
# macOS; see docs/app.md. PyInstaller bundles Python, unshared and its data files; it must run
# on the system it builds for (no cross-building).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q pyinstaller
python -m PyInstaller --noconfirm --clean --onefile --name unshared-app \
  --distpath dist --workpath build/pyinstaller --specpath build/pyinstaller \
  --paths src \
  --collect-data unshared \
  --collect-submodules unshared \
  --collect-data weasyprint --collect-data pydyf --collect-data pyphen \
  --collect-data py3langid \
  --collect-submodules uvicorn \
  --exclude-module matplotlib --exclude-module tkinter --exclude-module IPython \
  --exclude-module pytest --exclude-module playwright \
  packaging/unshared_app.py
ls -l dist/unshared-app*
