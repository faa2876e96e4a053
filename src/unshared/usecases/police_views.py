"""What the analysts' app shows: one cluster as a drawing, one link with its evidence from both
cases side by side. Each read is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unshared.errors import UnsharedError
from unshared.police.model import normalise_text
from unshared.police.store import ForceStore
from unshared.usecases.police import Network

__all__ = ["Drawing", "LinkEvidence", "drawing", "link_evidence"]


@dataclass
class Drawing:
    """A cluster laid out in a 0..1000 square: nodes (x, y, case key) and edges (x1, y1, x2,
    y2, strength, the two case keys, what they share)."""

    id: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    shared: list[tuple[str, str, int]] = field(default_factory=list)


def drawing(store: ForceStore, net: Network, cluster_id: str) -> Drawing:
    import networkx as nx

    cluster = next((c for c in net.clusters if c.id == cluster_id), None)
    if cluster is None:
        raise UnsharedError(f"no cluster {cluster_id}")
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(cluster.cases)
    for link in cluster.links:
        graph.add_edge(link.a, link.b, weight=link.strength)
    pos = nx.spring_layout(graph, seed=1) if len(cluster.cases) > 1 else {cluster.cases[0]: (0, 0)}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0

    def place(node: int) -> tuple[float, float]:
        x, y = pos[node]
        return 60 + 880 * (x - min(xs)) / span_x, 60 + 880 * (y - min(ys)) / span_y

    out = Drawing(cluster.id, shared=cluster.shared())
    for case in cluster.cases:
        x, y = place(case)
        out.nodes.append({"x": round(x, 1), "y": round(y, 1), "key": net.names[case]})
    for link in cluster.links:
        (x1, y1), (x2, y2) = place(link.a), place(link.b)
        out.edges.append(
            {
                "x1": round(x1, 1),
                "y1": round(y1, 1),
                "x2": round(x2, 1),
                "y2": round(y2, 1),
                "strength": link.strength,
                "a": net.names[link.a],
                "b": net.names[link.b],
                "why": "; ".join(f"{r.kind}: {r.label}" for r in link.reasons),
            }
        )
    store.audit("read cluster", cluster.id, f"{len(cluster.cases)} cases")
    return out


@dataclass
class LinkEvidence:
    a: str
    b: str
    strength: float
    reasons: list[dict[str, Any]]


def _case(store: ForceStore, prefix: str) -> tuple[int, str]:
    rows = store.db.execute(
        "SELECT c.id, MAX(b.id) FROM cases c JOIN bundles b ON b.case_id = c.id "
        "WHERE c.case_key LIKE ? GROUP BY c.id",
        (prefix + "%",),
    )
    if len(rows) != 1:
        raise UnsharedError(f"no single case with a key starting {prefix}")
    return int(rows[0][1]), prefix


def _messages(store: ForceStore, bundle: int, numbers: list[int]) -> list[dict[str, Any]]:
    if not numbers:
        return []
    marks = ",".join("?" for _ in numbers)
    return [
        {"number": n, "text": t, "exhibit": e, "locator": loc, "sent_at": at}
        for n, t, e, loc, at in store.db.execute(
            "SELECT number, text, exhibit, locator, sent_at FROM messages WHERE bundle_id = ? "
            f"AND number IN ({marks}) ORDER BY number",
            (bundle, *numbers),
        )
    ]


def link_evidence(store: ForceStore, net: Network, a: str, b: str) -> LinkEvidence:
    """Both sides of a link: for each reason, the messages, pictures or payments of each case
    that carry it, with exhibit and place."""
    ids = {name: i for i, name in net.names.items()}
    if a not in ids or b not in ids:
        raise UnsharedError("no such link")
    key = (min(ids[a], ids[b]), max(ids[a], ids[b]))
    link = net.links.get(key)
    if link is None:
        raise UnsharedError("these two cases are not linked")
    sides = {a: _case(store, a)[0], b: _case(store, b)[0]}
    reasons: list[dict[str, Any]] = []
    for reason in link.reasons:
        per_side: dict[str, list[dict[str, Any]]] = {}
        for name, bundle in sides.items():
            if reason.kind == "identifier":
                kind, value = reason.keys[0], reason.keys[1]
                numbers = [
                    int(m)
                    for (m,) in store.db.execute(
                        "SELECT s.message_no FROM sightings s JOIN entities e ON e.id = s.entity_id "
                        "WHERE s.bundle_id = ? AND e.kind = ? AND e.value = ? "
                        "AND s.message_no IS NOT NULL",
                        (bundle, kind, value),
                    )
                ]
                per_side[name] = _messages(store, bundle, numbers)
            elif reason.kind == "image":
                per_side[name] = [
                    {
                        "number": m,
                        "text": f"picture PDQ {p} (quality {q})",
                        "exhibit": e,
                        "locator": loc,
                        "sent_at": at,
                    }
                    for p, q, m, e, loc, at in store.db.execute(
                        "SELECT pdq, quality, message_no, exhibit, locator, sent_at FROM images "
                        "WHERE bundle_id = ?",
                        (bundle,),
                    )
                    if p in reason.keys
                    or any((int(p, 16) ^ int(k, 16)).bit_count() <= 31 for k in reason.keys)
                ]
            elif reason.kind == "payment":
                numbers = [
                    int(m)
                    for (m,) in store.db.execute(
                        "SELECT message_no FROM payments WHERE bundle_id = ? AND pattern = ?",
                        (bundle, reason.keys[0]),
                    )
                    if m is not None
                ]
                per_side[name] = _messages(store, bundle, numbers)
            else:  # script: the lines closest to the script's words
                words = set(normalise_text(reason.label.removesuffix("...")).split())
                rows = store.db.execute(
                    "SELECT number, text FROM messages WHERE bundle_id = ?", (bundle,)
                )
                scored = sorted(
                    (
                        (len(words & set(normalise_text(t).split())) / (len(words) or 1), int(n))
                        for n, t in rows
                    ),
                    reverse=True,
                )
                per_side[name] = _messages(store, bundle, [n for s, n in scored[:3] if s >= 0.5])
        reasons.append(
            {
                "kind": reason.kind,
                "shared": reason.label,
                "weight": reason.weight,
                "sides": per_side,
            }
        )
    store.audit("read link", f"{a} {b}", "")
    return LinkEvidence(a, b, link.strength, reasons)
