#!/usr/bin/env bash
# The vpdq reference package (Meta's vPDQ) builds from source against the FFmpeg dev libraries
# installed from .ci/apt.d/fingerprints.txt. tests/fingerprints compare our video fingerprints
# with it and fail in CI when it is missing.
set -euo pipefail
python -m pip install -q "vpdq>=0.2.5"
