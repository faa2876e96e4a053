"""The investigator's use cases: import verified bundles, find offender networks, share with
another force. The CLI and the app call these; each read a person asks for is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unshared.errors import UnsharedError
from unshared.police import links as L
from unshared.police.bundle_reader import read_bundle
from unshared.police.clusters import Cluster, build_clusters, to_csv, to_graphml, to_jsonl
from unshared.police.model import normalise_text
from unshared.police.sharing import Overlap, make_export, match, read_export
from unshared.police.store import AuditRow, ForceStore, ImportOutcome, init_force, open_force

__all__ = [
    "CaseView",
    "ForceStore",
    "Network",
    "ImportReport",
    "audit_trail",
    "case_view",
    "entity_view",
    "export_shared",
    "import_bundles",
    "init",
    "match_shared",
    "network",
    "open_force",
    "render_clusters",
]


def init(url: str, passphrase: str | None) -> None:
    init_force(url, passphrase).close()


@dataclass
class ImportReport:
    done: list[ImportOutcome] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def import_bundles(
    store: ForceStore,
    paths: Iterable[Path],
    *,
    progress: Callable[[Path, str], None] | None = None,
) -> ImportReport:
    """Verify and import each bundle; a refused bundle is recorded (and audited) and the next one
    is tried. Nothing of a refused bundle is stored."""
    report = ImportReport()
    for path in paths:
        try:
            digest = read_bundle(path)
        except UnsharedError as exc:
            store.audit("import refused", path.name, exc.message)
            report.refused.append((str(path), exc.message))
            if progress:
                progress(path, "refused")
            continue
        outcome = store.import_digest(digest)
        report.done.append(outcome)
        if progress:
            progress(path, outcome.status)
    return report


# ---------------------------------------------------------------------------- networks
@dataclass
class Network:
    clusters: list[Cluster]
    names: dict[int, str]
    """case id -> the name shown (the first 12 characters of the case key)."""
    links: dict[tuple[int, int], L.Link]
    related: list[tuple[int, int, list[L.Reason]]] = field(default_factory=list)
    """Pairs of networks that share only words or payment habits: possibly related, not merged."""


def _links(store: ForceStore) -> tuple[dict[int, str], L.Filtered]:
    latest = store.latest_bundles()
    bundle_case = {bundle: case for case, (bundle, _) in latest.items()}
    cases = {case: key for case, (_, key) in latest.items()}
    found: list[tuple[int, int, L.Reason]] = []
    found += L.identifier_links(
        (bundle_case[b], kind, value)
        for b, kind, value in store.rows(
            "SELECT DISTINCT s.bundle_id, e.kind, e.value FROM sightings s "
            "JOIN entities e ON e.id = s.entity_id"
        )
        if b in bundle_case
    )
    found += L.image_links(
        (bundle_case[b], pdq)
        for b, pdq in store.rows("SELECT DISTINCT bundle_id, pdq FROM images")
        if b in bundle_case
    )
    found += L.script_links(
        (bundle_case[b], digest, normalise_text(text))
        for b, digest, text in store.rows(
            "SELECT bundle_id, norm_sha256, MIN(text) FROM messages GROUP BY bundle_id, norm_sha256"
        )
        if b in bundle_case
    )
    found += L.payment_links(
        (bundle_case[b], pattern)
        for b, pattern in store.rows("SELECT DISTINCT bundle_id, pattern FROM payments")
        if b in bundle_case
    )
    return cases, L.filter_weak(found)


def network(
    store: ForceStore, *, min_strength: float = 0.5, singletons: bool = False, audit: bool = True
) -> Network:
    """Every cluster of cases, biggest first (audited as one read of the whole database)."""
    from unshared.police.clusters import merge

    cases, filtered = _links(store)
    clusters = build_clusters(
        cases, filtered.kept, min_strength=min_strength, singletons=singletons
    )
    if audit:
        store.audit("clusters", "all", f"{len(clusters)} clusters over {len(cases)} cases")
    names = {i: key[:12] for i, key in cases.items()}
    return Network(clusters, names, merge(filtered.kept), filtered.related)


def render_clusters(net: Network, fmt: str) -> str:
    if fmt == "jsonl":
        return to_jsonl(net.clusters, net.names)
    if fmt == "graphml":
        return to_graphml(net.clusters, net.names)
    if fmt == "csv":
        return to_csv(net.clusters, net.names)
    raise UnsharedError(f"unknown format {fmt!r}: use table, jsonl, graphml or csv")


# ---------------------------------------------------------------------------- one case, one entity
@dataclass
class CaseView:
    key: str
    bundles: list[dict[str, Any]]
    identifiers: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    images: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    cluster: str | None
    links: list[dict[str, Any]]


def _case_id(store: ForceStore, prefix: str) -> tuple[int, str]:
    prefix = prefix.strip().lower()
    if len(prefix) < 6:
        raise UnsharedError("give at least 6 characters of the case key")
    rows = store.db.execute(
        "SELECT id, case_key FROM cases WHERE case_key LIKE ? ORDER BY id", (prefix + "%",)
    )
    if not rows:
        raise UnsharedError(f"no case with a key starting {prefix}")
    if len(rows) > 1:
        raise UnsharedError(f"{len(rows)} cases have keys starting {prefix}: give more characters")
    return int(rows[0][0]), str(rows[0][1])


def case_view(store: ForceStore, prefix: str) -> CaseView:
    case_id, key = _case_id(store, prefix)
    bundles = [
        dict(
            zip(
                (
                    "bundle_sha256",
                    "seal",
                    "log_head",
                    "platforms",
                    "messages",
                    "first_at",
                    "last_at",
                    "imported_at",
                    "imported_by",
                ),
                r,
                strict=True,
            )
        )
        for r in store.db.execute(
            "SELECT bundle_sha256, seal, log_head, platforms, messages_total, first_at, last_at, "
            "imported_at, imported_by FROM bundles WHERE case_id = ? ORDER BY id",
            (case_id,),
        )
    ]
    newest = store.latest_bundles()[case_id][0]
    q = store.db.execute
    identifiers = [
        {"kind": k, "value": v, "message": m, "exhibit": e, "locator": loc, "sent_at": t}
        for k, v, m, e, loc, t in q(
            "SELECT e.kind, e.value, s.message_no, s.exhibit, s.locator, s.sent_at FROM sightings s "
            "JOIN entities e ON e.id = s.entity_id WHERE s.bundle_id = ? ORDER BY e.kind, e.value",
            (newest,),
        )
    ]
    messages = [
        {
            "number": n,
            "sender": s,
            "text": t,
            "stages": st,
            "exhibit": e,
            "locator": loc,
            "sent_at": at,
        }
        for n, s, t, st, e, loc, at in q(
            "SELECT number, sender, text, stages, exhibit, locator, sent_at FROM messages "
            "WHERE bundle_id = ? ORDER BY number",
            (newest,),
        )
    ]
    images = [
        {"pdq": p, "quality": qu, "sha256": h, "message": m, "exhibit": e, "locator": loc}
        for p, qu, h, m, e, loc in q(
            "SELECT pdq, quality, sha256, message_no, exhibit, locator FROM images "
            "WHERE bundle_id = ?",
            (newest,),
        )
    ]
    payments = [
        {"method": me, "amount": a, "currency": c, "deadline": d, "message": m}
        for me, a, c, d, m in q(
            "SELECT method, amount, currency, deadline, message_no FROM payments "
            "WHERE bundle_id = ?",
            (newest,),
        )
    ]
    net = network(store, audit=False)
    cluster = next((c for c in net.clusters if case_id in c.cases), None)
    links = [
        {
            "other": net.names[link.b if link.a == case_id else link.a],
            "strength": link.strength,
            "reasons": [{"kind": r.kind, "shared": r.label} for r in link.reasons],
        }
        for link in net.links.values()
        if case_id in (link.a, link.b)
    ]
    links.sort(key=lambda d: -float(str(d["strength"])))
    for a, b, reasons in net.related:
        if case_id in (a, b):
            links.append(
                {
                    "other": net.names[b if a == case_id else a],
                    "strength": L.strength(r.weight for r in reasons),
                    "possibly_related": True,
                    "reasons": [{"kind": r.kind, "shared": r.label} for r in reasons],
                }
            )
    store.audit("read case", key, "")
    return CaseView(
        key,
        bundles,
        identifiers,
        messages,
        images,
        payments,
        cluster.id if cluster else None,
        links,
    )


def entity_view(store: ForceStore, value: str) -> list[dict[str, Any]]:
    """Every case where an identifier with this value was used by the other party."""
    from unshared.analysis.identifiers import extract_identifiers

    wanted = {value.strip(), value.strip().lower()}
    wanted |= {i.value for i in extract_identifiers(value, "GB")}
    marks = ",".join("?" for _ in wanted)
    rows = store.db.execute(
        "SELECT e.kind, e.value, c.case_key, s.message_no, s.exhibit, s.locator, s.sent_at "
        "FROM entities e JOIN sightings s ON s.entity_id = e.id JOIN bundles b ON b.id = s.bundle_id "
        f"JOIN cases c ON c.id = b.case_id WHERE e.value IN ({marks}) ORDER BY c.id, s.message_no",
        tuple(sorted(wanted)),
    )
    store.audit("read entity", value, f"{len(rows)} sightings")
    return [
        {
            "kind": k,
            "value": v,
            "case": key[:12],
            "message": m,
            "exhibit": e,
            "locator": loc,
            "sent_at": t,
        }
        for k, v, key, m, e, loc, t in rows
    ]


# ---------------------------------------------------------------------------- sharing
def _offender_values(store: ForceStore) -> tuple[list[tuple[str, str]], list[str]]:
    idents = [(str(k), str(v)) for k, v in store.db.execute("SELECT kind, value FROM entities")]
    pdqs = [str(p) for (p,) in store.db.execute("SELECT DISTINCT pdq FROM images")]
    return idents, pdqs


def export_shared(store: ForceStore, key: bytes) -> str:
    idents, pdqs = _offender_values(store)
    store.audit("share export", "all", f"{len(set(idents))} identifiers, {len(pdqs)} PDQ hashes")
    return make_export(key, idents, pdqs)


def match_shared(store: ForceStore, key: bytes, text: str, name: str) -> list[Overlap]:
    theirs = read_export(text, name=name)
    idents, pdqs = _offender_values(store)
    found = match(key, theirs, idents, pdqs)
    store.audit("share match", name, f"{len(found)} overlaps")
    return found


def audit_trail(store: ForceStore) -> tuple[list[AuditRow], list[str]]:
    rows = store.audit_rows()
    problems = store.check_audit()
    store.audit("read audit", "all", "")
    return rows, problems
