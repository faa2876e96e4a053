"""Starting the command loads only what every command needs. This checks which modules load,
not how long it takes: timings are measured by hand (docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_command_loads_no_heavy_stack_until_a_command_needs_it() -> None:
    code = (
        "import json, sys; import unshared.cli; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'PIL', 'av', 'weasyprint', 'phonenumbers') or m.startswith("
        "('unshared.importers.', 'unshared.fingerprints', 'unshared.report', "
        "'unshared.analysis.identifiers')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=None
    ).stdout
    loaded = json.loads(out)
    assert loaded == [] or set(loaded) <= {"unshared.importers.base"}, loaded
