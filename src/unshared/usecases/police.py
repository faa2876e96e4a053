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
        for b, kind, value in store.identifier_rows()
        if b in bundle_case
    )
    found += L.image_links(
        (bundle_case[b], pdq) for b, pdq in store.image_rows() if b in bundle_case
    )
    found += L.script_links(
        (bundle_case[b], digest, normalise_text(text))
        for b, digest, text in store.text_rows()
        if b in bundle_case
    )
    found += L.payment_links(
        (bundle_case[b], pattern) for b, pattern in store.payment_rows() if b in bundle_case
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
        return to_jsonl(net.clusters, net.names, net.related)
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
    rows = store.cases_by_prefix(prefix)
    if not rows:
        raise UnsharedError(f"no case with a key starting {prefix}")
    if len(rows) > 1:
        raise UnsharedError(f"{len(rows)} cases have keys starting {prefix}: give more characters")
    return int(rows[0][0]), str(rows[0][1])


def case_view(store: ForceStore, prefix: str) -> CaseView:
    case_id, key = _case_id(store, prefix)
    bundles = store.bundles_of(case_id)
    newest = store.latest_bundles()[case_id][0]
    identifiers = store.sightings_of(newest)
    messages = store.messages_of(newest)
    images = store.images_of(newest)
    payments = store.payments_of(newest)
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
    rows = store.entity_sightings(sorted(wanted))
    store.audit("read entity", value, f"{len(rows)} sightings")
    return [
        {
            "kind": r["kind"],
            "value": r["value"],
            "case": r["case_key"][:12],
            "message": r["message"],
            "exhibit": r["exhibit"],
            "locator": r["locator"],
            "sent_at": r["sent_at"],
        }
        for r in rows
    ]


# ---------------------------------------------------------------------------- sharing
def export_shared(store: ForceStore, key: bytes) -> str:
    idents, pdqs = store.offender_values()
    store.audit("share export", "all", f"{len(set(idents))} identifiers, {len(pdqs)} PDQ hashes")
    return make_export(key, idents, pdqs)


def match_shared(store: ForceStore, key: bytes, text: str, name: str) -> list[Overlap]:
    theirs = read_export(text, name=name)
    idents, pdqs = store.offender_values()
    found = match(key, theirs, idents, pdqs)
    store.audit("share match", name, f"{len(found)} overlaps")
    return found


def audit_trail(store: ForceStore) -> tuple[list[AuditRow], list[str]]:
    rows = store.audit_rows()
    problems = store.check_audit()
    store.audit("read audit", "all", "")
    return rows, problems
