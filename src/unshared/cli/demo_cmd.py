"""``unshared demo``: build a demo case from the synthetic samples shipped in the package."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import typer

from unshared.casefile import Case, verify_case
from unshared.cli.common import console
from unshared.errors import CaseFileError

DEMO_PASSPHRASE = "demo only - not secret"


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


def demo(
    out: Path = typer.Option(Path("unshared-demo"), "--out", help="Folder for the demo case."),
) -> None:
    """Build a demo case from invented sample chats and show what unshared does."""
    # Every area of the toolkit runs below; they load here, not when any command starts.
    from unshared import services
    from unshared.analysis.service import analyze_case
    from unshared.fingerprints.service import Options, fingerprint_file
    from unshared.guide.answers import parse_answers
    from unshared.guide.casefile_link import record_plan, record_step_done
    from unshared.guide.flow import build_plan
    from unshared.guide.loader import default_guide
    from unshared.importers import ImportOptions
    from unshared.report.bundle import make_bundle
    from unshared.report.pack import write_report

    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.unshared"
    if path.exists():
        raise CaseFileError(
            "a demo case is already there; remove the folder or choose another with --out",
            path=str(path),
        )
    secret = os.environ.get("UNSHARED_PASSPHRASE", DEMO_PASSPHRASE)
    console.print(
        "[bold]unshared demo[/bold]: everything below is invented and stays on this machine."
    )
    with Case.create(path, secret) as case:
        console.print(f"1. Created an encrypted case: {path} (passphrase: '{secret}')")
        samples = _samples()
        results = services.add_files(
            case,
            samples,
            ImportOptions(
                timezone=services.resolve_timezone("Europe/London"), me=frozenset({"Sam"})
            ),
        )
        case.set_setting("me", "Sam")
        for result in results:
            status = (
                f"{result.messages} messages ({result.format})"
                if result.ok
                else f"kept, not read: {result.error}"
            )
            console.print(f"2. Kept {Path(result.path).name} untouched as evidence: {status}")
        summary = analyze_case(case, region="GB")
        kinds = ", ".join(
            f"{n} {k}" for k, n in sorted(summary.get("identifier_kinds", {}).items())
        )
        stages = ", ".join(sorted(summary.get("signal_stages", {}))) or "none yet"
        console.print(f"3. Found what police need: {kinds}")
        console.print(f"   and the warning signs: {stages}")
        answers = parse_answers(
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
            path="demo answers",
        )
        plan = build_plan(answers, default_guide())
        record_plan(case, answers, plan)
        # Tick an evidence step, never a safety one (issue 15: safety steps are never shown done).
        saved = next(i for i, step in enumerate(plan.steps) if step.id == "stay-calm")
        record_step_done(case, plan.steps[saved].id)
        console.print(
            f"4. Made a {len(plan.steps)}-step plan (first: {plan.steps[0].title}) "
            f"and ticked step {saved + 1} ({plan.steps[saved].title})"
        )
        picture = out / "invented-picture.png"
        _invented_picture(picture)
        fingerprint = fingerprint_file(picture, Options(names="file"))
        case.add_fingerprints([fingerprint], {"count": 1, "media_stored": False})
        console.print(
            f"5. Fingerprinted an invented picture on this machine (PDQ {fingerprint.pdq}); "
            "only the fingerprint is kept"
        )
        services.add_action(case, "blocked-offender", detail="Blocked after saving the chat")
        services.add_note(case, "Demo note: the chat was saved before blocking.")
        report_dir = out / "report"
        try:
            files = write_report(case, report_dir)
        except OSError as exc:  # WeasyPrint needs Pango, a system library, for the PDF
            console.print(f"   (no PDF on this machine: {exc}; writing HTML and JSON-LD only)")
            files = write_report(case, report_dir, pdf=False)
        bundle = make_bundle(case, out / "demo-evidence.zip", pdf=files.path("report.pdf").exists())
        console.print(
            f"6. Wrote the police report to {report_dir}/ ({', '.join(sorted(files.files))}) "
            f"and a bundle anyone can check: {bundle.path}"
        )
        result = verify_case(case)
        console.print(
            f"7. Verified {result.exhibits} exhibits and {result.events} log events. "
            f"Log head: {result.head_hash}"
        )
    console.print(
        f"Done. Look inside with: unshared messages {path}, unshared log {path}, "
        f"and check the bundle with: unshared verify {out / 'demo-evidence.zip'}"
    )
