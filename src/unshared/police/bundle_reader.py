"""Read a verified evidence bundle into a :class:`~unshared.police.model.CaseDigest`.

The bundle is checked byte by byte first (:func:`unshared.report.bundle_verify.verify_bundle`);
a bundle that fails is refused with the verifier's reasons and nothing of it is read. Then the
conversation is read again from the originals inside the zip by the importer the case log names,
with the same options, and analysed as the case analysed it: what a force keeps is derived from
the evidence, never taken from a file the bundle writes about itself. Media the other party sent
is fingerprinted in memory; no picture is written anywhere or kept.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from unshared.analysis.case_analysis import analyse
from unshared.casefile.events import ImportRun, VictimsNamed, read
from unshared.casefile.log import Event
from unshared.casefile.settings import Victims
from unshared.errors import IntegrityError, UnsharedError
from unshared.importers import ImportOptions, get
from unshared.importers.readers.times import timezone_from_name
from unshared.model import Message, Participant, Signal
from unshared.police.collection import collection_points
from unshared.police.model import (
    LINKING_KINDS,
    CaseDigest,
    Evidence,
    OffenderIdentifier,
    OffenderImage,
    OffenderMessage,
    PaymentInstruction,
    redact,
)
from unshared.report.bundle_format import LOG, event_from_line, plan_from_log
from unshared.report.bundle_verify import verify_bundle

__all__ = ["BundleRefused", "read_bundle", "MAX_IMAGE_BYTES"]

#: Offender-sent pictures larger than this are not fingerprinted (noted, never fatal).
MAX_IMAGE_BYTES = 64 << 20
_IMAGE_KINDS = frozenset({"photo", "image", "sticker", "gif"})


class BundleRefused(IntegrityError):
    """The bundle failed verification; nothing of it was imported."""


@dataclass
class _MemberSource:
    """One original inside the bundle, read in place from the zip (it is stored, not deflated)."""

    zf: zipfile.ZipFile
    member: str
    name: str

    def open(self) -> BinaryIO:
        return self.zf.open(self.member)  # type: ignore[return-value]

    def head(self, size: int = 65536) -> bytes:
        with self.zf.open(self.member) as fh:
            return fh.read(size)

    @property
    def size(self) -> int:
        return self.zf.getinfo(self.member).file_size


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _events(raw: bytes) -> list[Event]:
    """The events of a verified bundle's log (it ends with a newline; lines split on it only)."""
    return [event_from_line(line) for line in raw[:-1].split(b"\n")]


def read_bundle(path: Path | str) -> CaseDigest:
    """The other party's side of the case in ``path``; :class:`BundleRefused` if it fails
    verification (or changes while being read)."""
    path = Path(path)
    before = _sha256(path) if path.is_file() else ""
    check = verify_bundle(path)
    if not check.ok:
        shown = "; ".join(check.problems[:3])
        more = f" (and {len(check.problems) - 3} more)" if len(check.problems) > 3 else ""
        raise BundleRefused(
            f"the bundle does not verify, nothing of it was imported: {shown}{more}",
            path=str(path),
        )
    with zipfile.ZipFile(path) as zf:
        digest = _read(zf, path.name, before)
    if _sha256(path) != before:
        raise BundleRefused("the bundle changed while it was being read", path=str(path))
    return digest


def _read(zf: zipfile.ZipFile, name: str, sha256: str) -> CaseDigest:
    events = _events(zf.read(LOG))
    made = events[-1].data()
    plan = plan_from_log(events, made.get("report_event"))
    members = {ex.sha256: ex.path for ex in plan.exhibits}
    region = "GB"
    victims_named: tuple[str, ...] | None = None
    runs: list[ImportRun] = []
    intimate: set[str] = set()
    for ev in events:
        if ev.type == "import_run":
            payload = read(ev)
            assert isinstance(payload, ImportRun)
            if payload.exhibit in members:
                runs.append(payload)
        elif ev.type == "victims_named":
            named = read(ev)
            assert isinstance(named, VictimsNamed)
            victims_named = named.names
        elif ev.type == "fingerprints_added":
            intimate.update(str(h) for h in ev.data().get("sha256", ()))
        elif ev.type == "settings_changed":
            changed = ev.data().get("changes", {})
            if isinstance(changed, dict) and changed.get("region"):
                region = str(changed["region"])
    participants: list[Participant] = []
    messages: list[tuple[int, Message, str]] = []
    for run in runs:
        source = _MemberSource(zf, members[run.exhibit], run.original_name or run.exhibit)
        options = ImportOptions(timezone=timezone_from_name(run.timezone), me=frozenset(run.me))
        try:
            for record in get(run.format).parse(source, options):
                if isinstance(record, Message):
                    messages.append((len(messages) + 1, record, run.exhibit))
                else:
                    participants.append(record)
        except UnsharedError as exc:
            raise BundleRefused(
                f"an original cannot be read again ({exc.message})", path=name
            ) from None
    victims = (
        Victims(victims_named, recorded=True)
        if victims_named is not None
        else Victims.guessed(participants)
    )
    analysis = analyse(participants, ((n, m) for n, m, _ in messages), victims, region)
    if not victims.known:
        victims = _victims_from_signals(analysis.signals, messages)
        analysis = analyse(participants, ((n, m) for n, m, _ in messages), victims, region)
    hidden = tuple(victims.names) + tuple(
        v
        for p in participants
        if victims.side(p.name, p.platform_id) == "victim"
        for v in (p.name, p.platform_id)
        if v
    )
    by_number = {n: (m, ex) for n, m, ex in messages}
    first_exhibit = runs[0].exhibit if runs else ""

    def where(number: int | None) -> Evidence:
        if number is None or number not in by_number:
            return Evidence(first_exhibit, "participants")
        m, ex = by_number[number]
        at = m.sent_at.isoformat() if m.sent_at else None
        return Evidence(ex, redact(str(m.locator), hidden), number, at)

    found: dict[tuple[str, str], list[Evidence]] = {}
    for number, ident in analysis.identifiers:
        if ident.side != "other" or not ident.valid or ident.kind not in LINKING_KINDS:
            continue
        found.setdefault((ident.kind, ident.value), []).append(where(number))
    stages: dict[int, list[str]] = {}
    payments: list[PaymentInstruction] = []
    deadline_words: dict[int, str] = {}
    for number, signal in analysis.signals:
        stages.setdefault(number, []).append(signal.stage)
        if signal.stage == "deadline":
            m = by_number[number][0]
            if 0 <= signal.start < signal.end:
                deadline_words[number] = m.text[signal.start : signal.end]
    for number, signal in analysis.signals:
        if signal.stage != "payment_demand":
            continue
        m = by_number[number][0]
        if victims.side(m.sender, m.sender_id) == "victim":
            continue
        d = dict(signal.details)
        payments.append(
            PaymentInstruction(
                where(number),
                d.get("method"),
                d.get("amount"),
                d.get("currency"),
                deadline_words.get(number),
            )
        )
    offender_messages: list[OffenderMessage] = []
    images: list[OffenderImage] = []
    for number, m, exhibit in messages:
        if victims.side(m.sender, m.sender_id) != "other" or m.kind != "message":
            continue
        for point in collection_points(m.text):
            found.setdefault(("collection_point", point), []).append(where(number))
        if m.text.strip():
            offender_messages.append(
                OffenderMessage(
                    number,
                    redact(m.text, hidden),
                    where(number),
                    m.sender,
                    tuple(dict.fromkeys(stages.get(number, ()))),
                )
            )
        for attachment in m.attachments:
            if attachment.kind in _IMAGE_KINDS and attachment.uri and not attachment.omitted:
                image = _fingerprint(zf, members[exhibit], attachment.uri, where(number))
                if image is not None and image.sha256 not in intimate:
                    images.append(image)
    times = [m.sent_at for _, m, _ in messages if m.sent_at is not None]
    return CaseDigest(
        case_key=events[0].hash,
        seal=str(plan.report.hash if plan.report else ""),
        log_head=events[-1].hash,
        bundle_sha256=sha256,
        platforms=tuple(sorted({m.platform for _, m, _ in messages})),
        messages_total=len(messages),
        first_at=min(times).isoformat() if times else None,
        last_at=max(times).isoformat() if times else None,
        identifiers=[OffenderIdentifier(k, v, tuple(ev)) for (k, v), ev in found.items()],
        messages=offender_messages,
        images=images,
        payments=payments,
    )


_KEY_STAGES = frozenset({"threat", "payment_demand", "deadline", "escalation"})


def _victims_from_signals(
    signals: list[tuple[int, Signal]], messages: list[tuple[int, Message, str]]
) -> Victims:
    """When the person never said which name is theirs: whoever threatened or demanded is the
    other party, every other sender is the person's side (as the report's summary reads it)."""
    flagged = {n for n, s in signals if s.stage in _KEY_STAGES}
    offenders = {m.sender for n, m, _ in messages if n in flagged and m.sender}
    others = {m.sender for _, m, _ in messages if m.sender and m.sender not in offenders}
    return Victims(tuple(sorted(others)), recorded=False) if offenders else Victims()


def _fingerprint(
    zf: zipfile.ZipFile, exhibit_member: str, uri: str, evidence: Evidence
) -> OffenderImage | None:
    """The PDQ of a picture inside a zip export, read in memory; None when it is not there or
    cannot be read (an export without its media, a damaged picture)."""
    from unshared.fingerprints.media import Options, fingerprint_bytes

    with zf.open(exhibit_member) as raw:
        try:
            inner = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError):
            return None  # not a zip export: its pictures are not in this exhibit
        with inner:
            base = uri.rsplit("/", 1)[-1]
            member = uri if uri in inner.NameToInfo else None
            if member is None:
                member = next((n for n in inner.namelist() if n.rsplit("/", 1)[-1] == base), None)
            if member is None or inner.getinfo(member).file_size > MAX_IMAGE_BYTES:
                return None
            data = inner.read(member)
    try:
        fp = fingerprint_bytes(data, base, Options(crops=False, names="file"))
    except UnsharedError:
        return None
    finally:
        del data
    if fp.pdq is None:
        return None
    located = Evidence(evidence.exhibit, member, evidence.message, evidence.sent_at)
    return OffenderImage(fp.pdq, fp.quality, fp.sha256, located)
