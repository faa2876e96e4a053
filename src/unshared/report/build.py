"""Build the report model from a case snapshot. Pure: no I/O, no clock."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from unshared.casefile.store import StoredMessage
from unshared.report.data import CaseData
from unshared.report.model import (
    DEMAND_STAGES,
    KEY_STAGES,
    KIND_LABELS,
    PAYMENT_IDENTIFIER_KINDS,
    PAYMENT_KINDS,
    PLATFORMS,
    THREAT_STAGES,
    VALIDITY_LABELS,
    AccountRow,
    ActionRow,
    DemandRow,
    ExhibitRow,
    FingerprintRow,
    IdentifierRow,
    LogHead,
    MessageRow,
    PaymentRow,
    ReportModel,
    normalise_platform,
    platform_of_identifier,
)
from unshared.report.timeline import build_timeline

__all__ = ["build_model"]


def _fmt_time(value: datetime | None) -> str:
    if value is None:
        return "time unknown"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _fmt_iso(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return _fmt_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


def _iso(value: str | None) -> str | None:
    """An ISO 8601 time in UTC with an explicit offset (xsd:dateTime friendly)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return None


def _age(data: CaseData) -> int | None:
    raw: Any = data.settings.get("age")
    if raw is None:
        for ev in data.events:
            if ev.type == "guide_plan":
                with contextlib.suppress(ValueError, AttributeError):
                    answers = json.loads(ev.payload).get("answers") or {}
                    if answers.get("age") is not None:
                        raw = answers["age"]
    try:
        return None if raw is None else int(raw)
    except (TypeError, ValueError):
        return None


def _ordered(messages: list[StoredMessage]) -> list[StoredMessage]:
    """Time order; a message without a time stays right after the message before it."""
    keyed: list[tuple[datetime, int, StoredMessage]] = []
    last = datetime.min.replace(tzinfo=UTC)
    for pos, sm in enumerate(messages):
        if sm.message.sent_at is not None:
            last = sm.message.sent_at.astimezone(UTC)
        keyed.append((last, pos, sm))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [sm for _, _, sm in keyed]


def _attachment_text(att: Any) -> str:
    parts = [att.kind]
    if att.name:
        parts.append(att.name)
    if att.size:
        parts.append(f"{att.size} bytes")
    if att.member_sha256:
        parts.append(f"sha256:{att.member_sha256}")
    parts.append("media not included" if not att.omitted else "left out of the export")
    return " · ".join(parts)


def file_name_only(source: str) -> str:
    """Where a file came from, as the report shows it: its name, never the folders above it
    (a path can show the person's user name; ``unshared exhibits`` shows what was recorded)."""
    if "/" in source or "\\" in source:
        return PureWindowsPath(source).name if "\\" in source else PurePosixPath(source).name
    return source


def build_model(data: CaseData) -> ReportModel:
    """Turn a case snapshot into the report model."""
    exhibit_no = {info.sha256: n for n, info in enumerate(data.exhibits, 1)}
    sides: dict[tuple[str, str], str] = {}
    for p in data.participants:
        for key in (p.name, p.platform_id):
            if key:
                sides.setdefault((p.platform, key), p.side)
    victim_name = data.settings.get("victim_name")

    signals_by_msg: dict[int, list[dict[str, Any]]] = {}
    for mid, sig in data.signals:
        signals_by_msg.setdefault(mid, []).append(sig)

    rows: list[MessageRow] = []
    by_id: dict[int, MessageRow] = {}
    demands: list[DemandRow] = []
    for number, sm in enumerate(_ordered(data.messages), 1):
        m = sm.message
        side = sides.get((m.platform, m.sender_id or ""), "") or sides.get(
            (m.platform, m.sender or ""), "unknown"
        )
        if victim_name and m.sender == victim_name:
            side = "victim"
        sigs = signals_by_msg.get(sm.id, [])
        row = MessageRow(
            number=number,
            id=sm.id,
            time=_fmt_time(m.sent_at),
            time_assumed=m.time_assumed,
            platform=m.platform,
            conversation=m.conversation,
            sender=m.sender or "(unknown)",
            sender_id=m.sender_id,
            side=side,
            text=m.text,
            attachments=tuple(_attachment_text(a) for a in m.attachments),
            exhibit_no=exhibit_no.get(sm.exhibit_sha256, 0),
            exhibit_sha256=sm.exhibit_sha256,
            locator=str(m.locator),
            message_id=m.message_id,
            stages=tuple(dict.fromkeys(str(s.get("stage")) for s in sigs)),
            reasons=tuple(f"{s.get('stage')}: {s.get('reason')}" for s in sigs),
            iso=m.sent_at.astimezone(UTC).isoformat() if m.sent_at else None,
        )
        rows.append(row)
        by_id[sm.id] = row
        for s in sigs:
            if s.get("stage") == "payment_demand":
                details = s.get("details") or {}
                demands.append(
                    DemandRow(
                        time=row.time,
                        amount=details.get("amount"),
                        method=details.get("method"),
                        currency=details.get("currency"),
                        text=m.text,
                        where=row.where,
                    )
                )

    key_messages = tuple(r for r in rows if r.key)
    threat_rows = [r for r in rows if THREAT_STAGES.intersection(r.stages)]
    stage_counts = dict(Counter(s for r in rows for s in r.stages))

    # Accounts: participants first (they carry ids and profile links), then message senders.
    accounts: dict[tuple[str, str | None, str | None], AccountRow] = {}
    for p in data.participants:
        plat = normalise_platform(p.platform) or p.platform
        akey = (plat, p.name, p.platform_id)
        if akey not in accounts:
            accounts[akey] = AccountRow(plat, p.name, p.platform_id, p.profile_url, p.side)
    seen_senders = {(a.platform, a.name) for a in accounts.values()} | {
        (a.platform, a.platform_id) for a in accounts.values()
    }
    for r in rows:
        plat = normalise_platform(r.platform) or r.platform
        if (plat, r.sender) in seen_senders or (plat, r.sender_id) in seen_senders:
            continue
        seen_senders.add((plat, r.sender))
        accounts[(plat, r.sender, r.sender_id)] = AccountRow(
            plat, r.sender, r.sender_id, None, r.side
        )
    account_rows = tuple(
        sorted(accounts.values(), key=lambda a: (a.side == "victim", a.platform, a.name or ""))
    )
    names_by_id = {a.platform_id: a.name for a in account_rows if a.platform_id and a.name}

    identifiers = _identifiers(data, by_id, names_by_id)

    platforms: set[str] = set()
    for r in rows:
        if (name := normalise_platform(r.platform)) is not None:
            platforms.add(name)
    for a in account_rows:
        if (name := normalise_platform(a.platform)) is not None:
            platforms.add(name)
    for i in identifiers:
        if i.platform:
            platforms.add(i.platform)

    actions, payments, paid_said, plan_platforms = _actions(data)
    payments += _payments_in_chat(data, by_id, rows)
    platforms.update(plan_platforms)
    crime_refs = tuple(dict.fromkeys(a.ref for a in actions if a.ref and "police" in a.kind))

    times = [sm.message.sent_at for sm in data.messages if sm.message.sent_at is not None]
    age = _age(data)
    head = data.events[-1] if data.events else None
    victims = {a.name for a in account_rows if a.side == "victim" and a.name}
    if victim_name:
        victims.add(victim_name)
    others = [a.name or a.platform_id or "" for a in account_rows if a.side == "other"]
    if not others:
        others = [a.name or a.platform_id or "" for a in account_rows if a.side == "unknown"]
    return ReportModel(
        case_name=data.settings.get("title") or data.name,
        generated_at=_fmt_iso(data.generated_at) or data.generated_at,
        tool_version=data.tool_version,
        created_at=_fmt_iso(data.meta.get("created_at")),
        encryption=data.meta.get("encryption"),
        minor=age is not None and age < 18,
        age=age,
        victim_names=tuple(sorted(victims)),
        other_names=tuple(dict.fromkeys(n for n in others if n)),
        platforms=tuple(p for p in PLATFORMS if p in platforms),
        first_time=_fmt_time(min(times)) if times else None,
        last_time=_fmt_time(max(times)) if times else None,
        message_count=len(rows),
        threat_count=len(threat_rows),
        first_threat=threat_rows[0].time if threat_rows else None,
        demands=tuple(demands),
        payments=tuple(payments),
        paid_said=paid_said,
        identifiers=identifiers,
        accounts=account_rows,
        key_messages=key_messages,
        messages=tuple(rows),
        timeline=build_timeline(
            [
                (sm.message.sent_at, by_id[sm.id].stages)
                for sm in data.messages
                if sm.message.sent_at is not None
            ],
            threat_stages=THREAT_STAGES,
            demand_stages=DEMAND_STAGES,
        ),
        exhibits=tuple(
            ExhibitRow(
                number=n,
                sha256=info.sha256,
                size=info.size,
                name=info.name,
                acquired_at=_fmt_iso(info.acquisitions[0].acquired_at) or ""
                if info.acquisitions
                else "",
                source_path=file_name_only(info.acquisitions[0].source_path)
                if info.acquisitions
                else "",
                acquisitions=len(info.acquisitions),
                acquired_iso=_iso(info.acquisitions[0].acquired_at) if info.acquisitions else None,
                set_aside=info.set_aside,
            )
            for n, info in enumerate(data.exhibits, 1)
        ),
        fingerprints=tuple(_fingerprint(fp) for fp in data.fingerprints),
        actions=tuple(actions),
        crime_refs=crime_refs,
        log=LogHead(head.seq, head.hash, _fmt_iso(head.at) or head.at, len(data.events))
        if head
        else None,
        stage_counts=stage_counts,
        own_flagged=_own_flagged(data),
        generated_iso=_iso(data.generated_at) or "",
        case_key=data.events[0].hash if data.events else "",
        identifier_messages={
            key: tuple(mid for mid, _ in items if mid is not None)
            for key, items in _grouped(data).items()
        },
    )


def _grouped(data: CaseData) -> dict[tuple[str, str], list[tuple[int | None, dict[str, Any]]]]:
    """The other party's identifiers, and every payment reference, by (kind, value), in
    first-seen order."""
    grouped: dict[tuple[str, str], list[tuple[int | None, dict[str, Any]]]] = {}
    for mid, ident in data.identifiers:
        if ident.get("side") == "victim" and ident.get("kind") not in PAYMENT_IDENTIFIER_KINDS:
            # The victim's own details are not the offender's identifiers; a payment reference
            # the victim sent (an MTCN) leads to whoever collected the money, so it stays.
            continue
        grouped.setdefault((str(ident.get("kind")), str(ident.get("value"))), []).append(
            (mid, ident)
        )
    return grouped


def _identifiers(
    data: CaseData, by_id: dict[int, MessageRow], names_by_id: dict[str, str]
) -> tuple[IdentifierRow, ...]:
    grouped = _grouped(data)
    out: list[IdentifierRow] = []
    for (kind, value), items in grouped.items():
        mid, first = items[0]
        row = by_id.get(mid) if mid is not None else None
        validity = str(first.get("valid", "shape"))
        msg_platform = normalise_platform(row.platform) if row else None
        out.append(
            IdentifierRow(
                kind=kind,
                label=KIND_LABELS.get(kind, kind.replace("_", " ")),
                value=value,
                raw=str(first.get("raw", value)),
                validity=validity,
                validity_label=VALIDITY_LABELS.get(validity, validity),
                side=str(first.get("side", "unknown")),
                shown_as=names_by_id.get(value),
                platform=platform_of_identifier(kind, value)
                or (msg_platform if kind not in ("url",) else None),
                count=len(items),
                first_seen=row.time if row else str(first.get("source", "")),
                where=row.short_where if row else f"from {first.get('source', 'the case')}",
            )
        )
    order = {k: n for n, k in enumerate(KIND_LABELS)}
    out.sort(key=lambda r: (r.side == "victim", order.get(r.kind, 99), r.value))
    return tuple(out)


def _fingerprint(fp: dict[str, Any]) -> FingerprintRow:
    path = str(fp.get("path", ""))
    return FingerprintRow(
        name=path.replace("\\", "/").rsplit("/", 1)[-1],
        kind=str(fp.get("kind", "")),
        sha256=str(fp.get("sha256", "")),
        md5=str(fp.get("md5", "")),
        pdq=fp.get("pdq"),
        quality=int(fp.get("quality") or 0),
        variants=len(fp.get("pdq_dihedral") or ()),
        frames=len(fp.get("vpdq") or ()),
    )


def _own_flagged(data: CaseData) -> int:
    """The newest analysis's count of the person's own messages that read as a threat or a
    demand alone (0 before 2026-12-07, when it was first counted)."""
    for ev in reversed(data.events):
        if ev.type == "analysis_run":
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                return int(json.loads(ev.payload).get("own_flagged") or 0)
            return 0
    return 0


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _payments_in_chat(
    data: CaseData, by_id: dict[int, MessageRow], rows: list[MessageRow]
) -> list[PaymentRow]:
    """Payments the person says in the chat they made ("I sent 100 by Western Union, MTCN ..."),
    with the payment references found in the same message. A message from someone who sent a
    threat or a demand is never counted as the person's payment."""
    from unshared.analysis.signals import detect_payments_made

    offenders = {r.sender for r in rows if KEY_STAGES.intersection(r.stages)}
    victim_known = any(r.side == "victim" for r in rows)
    refs: dict[int, list[str]] = {}
    for mid, ident in data.identifiers:
        if mid is not None and ident.get("kind") in PAYMENT_IDENTIFIER_KINDS:
            label = KIND_LABELS.get(str(ident["kind"]), str(ident["kind"]))
            refs.setdefault(mid, []).append(f"{label} {ident.get('value')}")
    found: list[PaymentRow] = []
    for sm in data.messages:
        row = by_id.get(sm.id)
        if row is None or sm.message.kind != "message" or not sm.message.text:
            continue
        if (victim_known and row.side != "victim") or row.sender in offenders:
            continue
        for made in detect_payments_made(sm.message.text):
            details = dict(made.details)
            found.append(
                PaymentRow(
                    amount=details.get("amount"),
                    method=details.get("method"),
                    ref=", ".join(dict.fromkeys(refs.get(sm.id, []))) or None,
                    paid_at=row.time,
                    status="said in the chat",
                    currency=details.get("currency"),
                    source="in the chat",
                    where=f"message {row.number} ({row.short_where})",
                )
            )
    return found


def _actions(
    data: CaseData,
) -> tuple[list[ActionRow], list[PaymentRow], str | None, set[str]]:
    """Actions, payments with their latest status, what the guide was told, plan platforms."""
    actions: list[ActionRow] = []
    payments: dict[str, PaymentRow] = {}
    paid_said: str | None = None
    plan_platforms: set[str] = set()
    for ev in data.events:
        if ev.type not in ("action", "guide_plan"):
            continue
        try:
            payload = json.loads(ev.payload)
        except ValueError:
            continue
        if not isinstance(payload, dict):
            continue
        at = _fmt_iso(ev.at) or ev.at
        if ev.type == "guide_plan":
            answers = payload.get("answers") or {}
            for p in answers.get("platforms") or ():
                if (name := normalise_platform(str(p))) is not None:
                    plan_platforms.add(name)
            if answers.get("paid") is not None:
                methods = ", ".join(str(m) for m in answers.get("payment_methods") or ())
                paid_said = (
                    ("yes" + (f" ({methods})" if methods else "")) if answers["paid"] else "no"
                )
            continue
        kind = str(payload.get("kind") or payload.get("step") or "action")
        row = ActionRow(
            seq=ev.seq,
            at=_fmt_iso(_str(payload.get("at"))) or at,
            at_iso=_iso(_str(payload.get("at")) or ev.at),
            kind=kind,
            to=_str(payload.get("to") or payload.get("who") or payload.get("platform")),
            ref=_str(payload.get("ref") or payload.get("crime_ref") or payload.get("reference")),
            detail=_str(payload.get("detail") or payload.get("note")),
            status=_str(payload.get("status")),
        )
        actions.append(row)
        if kind in PAYMENT_KINDS or payload.get("payment"):
            amount = _str(payload.get("amount"))
            method = _str(payload.get("method"))
            currency = _str(payload.get("currency"))
            key = str(payload.get("payment") or row.ref or f"{method}:{amount}")
            before = payments.get(key)
            payments[key] = PaymentRow(
                amount=amount or (before.amount if before else None),
                method=method or (before.method if before else None),
                ref=row.ref or (before.ref if before else None),
                paid_at=before.paid_at if before else row.at,
                status=row.status or (before.status if before else "paid; status not recorded"),
                currency=currency or (before.currency if before else None),
            )
    return actions, list(payments.values()), paid_said, plan_platforms
