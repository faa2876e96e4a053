"""The bundle's format, shared by the writer and the verifier: one function per derived part.

Everything in ``manifest.json`` is derived from ``log.jsonl`` and the members' bytes by
:func:`expected_manifest`, so the verifier rebuilds it and compares bytes: no field of the
manifest is taken on trust. Each log line is the event in canonical JSON (:func:`log_line`), one
form only.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from unshared.casefile.log import Event
from unshared.model import canonical_json

__all__ = [
    "BUNDLE_FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "LOG",
    "SET_ASIDE_EVENTS",
    "BundleExhibit",
    "BundlePlan",
    "plan_from_log",
    "expected_manifest",
    "manifest_bytes",
    "log_line",
    "event_from_line",
    "strict_json",
    "zinfo",
    "safe_name",
]

BUNDLE_FORMAT = "unshared-bundle"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
LOG = "log.jsonl"
CHECK = "unshared verify THIS.zip (no passphrase needed)"
SET_ASIDE_EVENTS = ("exhibit_set_aside",)
"""Log events that set an exhibit aside: it stays in the case but not in bundles."""
RESTORED_EVENTS = ("exhibit_restored",)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_EVENT_KEYS = frozenset({"seq", "at", "type", "payload", "prev_hash", "hash"})


def zinfo(name: str, size: int) -> zipfile.ZipInfo:
    """The zip entry of every member: stored as is, fixed time and attributes."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE.sub("_", base).strip(" .") or "exhibit"


def log_line(ev: Event) -> bytes:
    """One event as one line of ``log.jsonl``: canonical JSON and a newline."""
    return (canonical_json(ev.to_dict()) + "\n").encode("utf-8")


class _Refused(ValueError):
    """JSON that is not in the one form unshared writes."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def strict_json(text: str) -> Any:
    """Parse JSON refusing duplicate keys and NaN/Infinity."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def event_from_line(line: bytes) -> Event:
    """The event one line of ``log.jsonl`` records (``line`` without its newline).

    The inverse of :func:`log_line`, and as strict: a line that is not exactly what
    :func:`log_line` writes for some event raises :class:`ValueError` saying why. The hash chain
    is not checked here.
    """
    d = strict_json(line.decode("utf-8"))
    if not isinstance(d, dict) or set(d) != _EVENT_KEYS:
        extra = sorted(set(d) - _EVENT_KEYS) if isinstance(d, dict) else []
        raise _Refused(f"unexpected keys {extra}" if extra else "not an event")
    if not isinstance(d["payload"], dict) or type(d["seq"]) is not int:
        raise _Refused("not an event")
    if not all(isinstance(d[k], str) for k in ("at", "type", "prev_hash", "hash")):
        raise _Refused("not an event")
    if (canonical_json(d) + "\n").encode() != line + b"\n":
        raise _Refused("not in canonical form (one form only: sorted keys, no spaces)")
    return Event(
        d["seq"], d["at"], d["type"], canonical_json(d["payload"]), d["prev_hash"], d["hash"]
    )


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class BundleExhibit:
    number: str
    sha256: str
    size: int
    original_name: str
    acquired_at: str | None

    @property
    def path(self) -> str:
        return f"originals/{self.sha256}/{safe_name(self.original_name)}"


@dataclass
class BundlePlan:
    """What a bundle made from a log must hold, all of it read from events."""

    exhibits: list[BundleExhibit] = field(default_factory=list)
    set_aside: list[BundleExhibit] = field(default_factory=list)
    report: Event | None = None
    report_pdf: Event | None = None
    problems: list[str] = field(default_factory=list)

    def report_members(self) -> dict[str, tuple[str, int]]:
        """``report/<name>`` -> (SHA-256 recorded before the bundle, size) for every report file.

        For the sealed files the SHA-256 is of the bytes with the seal's place as zeros.
        """
        out: dict[str, tuple[str, int]] = {}
        if self.report is not None:
            data = self.report.data()
            for name in ("report.html", "report.pdf", "case.jsonld"):
                if name == "report.pdf":
                    if self.report_pdf is not None:
                        pdf = self.report_pdf.data()
                        out["report/report.pdf"] = (str(pdf["sha256"]), int(pdf["size"]))
                    continue
                out[f"report/{name}"] = (str(data["files"][name]), int(data["sizes"][name]))
        return out

    def seal_at(self, member: str) -> int | None:
        if self.report is None or not member.startswith("report/"):
            return None
        at = self.report.data().get("seal_at", {}).get(member.removeprefix("report/"))
        return int(at) if at is not None else None


def plan_from_log(events: list[Event], report_seq: int | None) -> BundlePlan:
    """Exhibits (numbered as the case numbers them), set-aside ones, and the report events."""
    plan = BundlePlan()
    first: dict[str, BundleExhibit] = {}
    aside: set[str] = set()
    for ev in events:
        if ev.type == "exhibit_added":
            d = ev.data()
            sha = str(d.get("sha256"))
            if sha not in first:
                first[sha] = BundleExhibit(
                    f"E{len(first) + 1}",
                    sha,
                    int(d.get("size") or 0),
                    str(d.get("original_name")),
                    d.get("acquired_at"),
                )
        elif ev.type in SET_ASIDE_EVENTS:
            aside.add(str(ev.data().get("sha256")))
        elif ev.type in RESTORED_EVENTS:
            aside.discard(str(ev.data().get("sha256")))
        elif ev.type == "report_made" and ev.seq == report_seq:
            plan.report = ev
        elif (
            ev.type == "report_pdf_made"
            and report_seq is not None
            and ev.data().get("report_event") == report_seq
        ):
            plan.report_pdf = ev
    for ex in first.values():
        (plan.set_aside if ex.sha256 in aside else plan.exhibits).append(ex)
    if plan.report is None:
        plan.problems.append(f"{LOG}: no report_made event records the report in this bundle")
    elif not isinstance(plan.report.data().get("seal_at"), dict):
        plan.problems.append(f"{LOG}: event {plan.report.seq} does not seal the report")
    elif plan.report.data().get("pdf") and plan.report_pdf is None:
        plan.problems.append(f"{LOG}: no report_pdf_made event records report.pdf")
    return plan


def expected_manifest(
    events: list[Event], plan: BundlePlan, files: list[dict[str, Any]]
) -> dict[str, Any]:
    """The manifest for this log and these member entries (path, sha256, size)."""
    made = events[-1]
    bundle = made.data()
    report = plan.report.data() if plan.report is not None else {}
    return {
        "format": BUNDLE_FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": made.at,
        "created_by": f"unshared {bundle.get('tool_version')}",
        "case": report.get("case"),
        "log_head": made.hash,
        "log_events": len(events),
        "report_seal": {
            "event": plan.report.seq if plan.report else None,
            "hash": plan.report.hash if plan.report else None,
        },
        "files": files,
        "exhibits": [
            {
                "number": ex.number,
                "sha256": ex.sha256,
                "size": ex.size,
                "original_name": ex.original_name,
                "acquired_at": ex.acquired_at,
                "path": ex.path,
            }
            for ex in plan.exhibits
        ],
        "set_aside": [
            {"number": ex.number, "sha256": ex.sha256, "original_name": ex.original_name}
            for ex in plan.set_aside
        ],
        "check": CHECK,
    }
