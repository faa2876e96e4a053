"""A killed ``unshared bundle`` leaves no plaintext behind (issue 14).

A real child process makes a bundle and is signalled while it copies the first exhibit (the report,
with the whole conversation, is made by then). Afterwards neither its temporary folder nor the
output folder may hold anything: no report.html, no half-written zip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from report_case import build_case

_CHILD = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from unshared.casefile.store import Case
    from unshared.report.bundle import make_bundle

    case_path, out, signame = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    sig = getattr(signal, signame)
    # Ctrl-C as in a terminal: a process started in the background by a shell without job
    # control inherits SIGINT ignored, and Python then keeps it ignored (a CI run launched
    # that way saw both signals lost and the bundle finish).
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def step(what: str) -> None:
        if what.startswith("copying exhibit"):
            print("signalling", flush=True)
            # raise_signal runs the handler before it returns: the interruption comes out of
            # this call, not at the interpreter's next check.
            signal.raise_signal(sig)

    case = Case.open(Path(case_path), None)
    try:
        make_bundle(case, out, pdf=False, step=step)
    finally:
        case.close()
    print("finished", flush=True)
    """
)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_killed_bundle_leaves_no_plaintext(tmp_path: Path, data_dir: Path, signame: str) -> None:
    case_path = tmp_path / "k.case"
    build_case(case_path, data_dir, None).close()
    tmpdir = tmp_path / "tmp"
    out_dir = tmp_path / "out"
    tmpdir.mkdir()
    out_dir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir), TEMP=str(tmpdir), TMP=str(tmpdir))
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(case_path), str(out_dir / "b.zip"), signame],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "signalling" in done.stdout, done.stderr
    assert "finished" not in done.stdout
    assert done.returncode != 0
    if signame != "SIGKILL":  # a catchable signal ends it as an interruption, after clean-up
        assert "Interrupt" in done.stderr, done.stderr
    assert _files(tmpdir) == []
    assert _files(out_dir) == []
    # The case is still whole and can make the bundle afterwards.
    from unshared.casefile.store import Case
    from unshared.report.bundle import make_bundle, verify_bundle

    case = Case.open(case_path, None)
    try:
        made = make_bundle(case, out_dir / "b.zip", pdf=False)
    finally:
        case.close()
    assert verify_bundle(made.path).ok
