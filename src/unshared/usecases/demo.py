"""``unshared demo``: a demo case from the invented samples shipped in the package.

It runs the same use cases a person does (add, analyse, plan, fingerprint, record, report,
bundle, verify) and tells each step through ``say``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from unshared.errors import CaseFileError

__all__ = ["DEMO_PASSPHRASE", "DemoResult", "run_demo"]

DEMO_PASSPHRASE = "demo only - not secret"


@dataclass(frozen=True)
class DemoResult:
    case: Path
    bundle: Path
    report: Path


def _samples() -> list[Path]:
    root = resources.files("unshared") / "data" / "demo"
    found = []
    for entry in root.iterdir():
        if entry.name != "README.txt" and entry.is_file():
            found.append(Path(str(entry)))
    return sorted(found)


def _invented_picture(path: Path) -> None:
    """A generated picture (gradients and shapes), standing in for a private photo."""
    import numpy as np
    from PIL import Image

    y, x = np.mgrid[0:480, 0:640]
    rgb = np.stack(
        [(x * 255 // 640), (y * 255 // 480), ((x // 40 + y // 40) % 2) * 200 + 30], axis=-1
    ).astype(np.uint8)
    rgb[120:360, 200:440] = (230, 180, 60)
    Image.fromarray(rgb).save(path)


def run_demo(out: Path, say: Callable[[str], None]) -> DemoResult:
    """Build the demo case in ``out`` (refused when one is already there)."""
    from unshared.usecases.add import add_evidence
    from unshared.usecases.analyse import bring_up_to_date
    from unshared.usecases.case import create_case
    from unshared.usecases.exhibits import verify_case_file
    from unshared.usecases.fingerprint import fingerprint_paths
    from unshared.usecases.plan import answers_from_form, make_plan, mark_step_done
    from unshared.usecases.records import add_action, add_note
    from unshared.usecases.report import make_bundle, make_report

    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.unshared"
    if path.exists():
        raise CaseFileError(
            "a demo case is already there; remove the folder or choose another with --out",
            path=str(path),
        )
    secret = os.environ.get("UNSHARED_PASSPHRASE", DEMO_PASSPHRASE)
    with create_case(path, secret) as case:
        say(f"1. Created an encrypted case: {path}")
        say(f"   Its passphrase: {secret}")
        results = add_evidence(case, _samples(), timezone="Europe/London", me=["Sam"])
        for result in results:
            status = (
                f"{result.messages} messages ({result.format})"
                if result.ok
                else f"kept, not read: {result.error}"
            )
            say(f"2. Kept {Path(result.path).name} untouched as evidence: {status}")
        summary = bring_up_to_date(case, "GB") or {}
        kinds = ", ".join(
            f"{n} {k}" for k, n in sorted(summary.get("identifier_kinds", {}).items())
        )
        stages = ", ".join(sorted(summary.get("signal_stages", {}))) or "none yet"
        say(f"3. Found what police need: {kinds}")
        say(f"   and the warning signs: {stages}")
        answers = answers_from_form(
            {
                "age": 24,
                "region": "UK",
                "in_danger": False,
                "self_harm_thoughts": False,
                "paid": True,
                "payment_methods": ["western_union"],
                "platforms": ["skype"],
                "images_shared": True,
            },
            where="demo answers",
        )
        plan = make_plan(answers, case)
        # Tick an evidence step, never a safety one (issue 15: safety steps are never shown done).
        saved = plan.ids.index("stay-calm")
        mark_step_done(case, plan.steps[saved].id)
        say(
            f"4. Made {step_plan(len(plan.steps))} (first: {plan.steps[0].title}) "
            f"and ticked step {saved + 1} ({plan.steps[saved].title})"
        )
        picture = out / "invented-picture.png"
        _invented_picture(picture)
        fingerprint = fingerprint_paths([picture], case=case).prints[0]
        say(
            f"5. Fingerprinted an invented picture on this machine (PDQ {fingerprint.pdq}); "
            "only the fingerprint is kept"
        )
        add_action(case, "blocked-offender", detail="Blocked after saving the chat")
        add_note(case, "Demo note: the chat was saved before blocking.")
        report_dir = out / "report"
        report = make_report(case, report_dir)
        if report.no_pdf:
            say(f"   ({report.no_pdf}; writing HTML and JSON-LD only)")
        bundle = make_bundle(case, out / "demo-evidence.zip", pdf=report.no_pdf is None)
        say(
            f"6. Wrote the police report to {report_dir}/ ({', '.join(sorted(report.files))}) "
            f"and a bundle anyone can check: {bundle.path}"
        )
        checked = verify_case_file(case)
        say(
            f"7. Verified {_count(checked.exhibits, 'exhibit')} and "
            f"{_count(checked.events, 'log event')}. "
            f"Log head: {checked.head_hash}"
        )
    return DemoResult(path, bundle.path, report_dir)


def step_plan(steps: int) -> str:
    """ "a 12-step plan", "an 8-step plan", "an 11-step plan": the article as the number sounds."""
    spoken = str(steps)
    vowel = (
        spoken.startswith("8")
        or spoken in ("11", "18")
        or (len(spoken) in (5, 6) and spoken[:2] in ("11", "18"))
    )
    return f"{'an' if vowel else 'a'} {steps}-step plan"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
