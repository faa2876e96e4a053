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


def _newest_bundle(store: ForceStore, net: Network, name: str) -> int:
    """The newest bundle of the case shown as ``name`` in ``net``."""
    case_id = next(i for i, shown in net.names.items() if shown == name)
    return store.latest_bundles()[case_id][0]


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
    sides = {a: _newest_bundle(store, net, a), b: _newest_bundle(store, net, b)}
    reasons: list[dict[str, Any]] = []
    for reason in link.reasons:
        per_side: dict[str, list[dict[str, Any]]] = {}
        for name, bundle in sides.items():
            if reason.kind == "identifier":
                numbers = [
                    int(r["message"])
                    for r in store.sightings_of(bundle)
                    if (r["kind"], r["value"]) == reason.keys[:2] and r["message"] is not None
                ]
                per_side[name] = store.messages_of(bundle, numbers)
            elif reason.kind == "image":
                per_side[name] = [
                    {**r, "number": r["message"], "text": f"picture PDQ {r['pdq']} "
                     f"(quality {r['quality']})"}
                    for r in store.images_of(bundle)
                    if any((int(r["pdq"], 16) ^ int(k, 16)).bit_count() <= 31 for k in reason.keys)
                ]  # fmt: skip
            elif reason.kind == "payment":
                numbers = [
                    int(r["message"])
                    for r in store.payments_of(bundle)
                    if r["pattern"] == reason.keys[0] and r["message"] is not None
                ]
                per_side[name] = store.messages_of(bundle, numbers)
            else:  # script: the lines closest to the script's words
                words = set(normalise_text(reason.label.removesuffix("...")).split())
                scored = sorted(
                    (
                        (len(words & set(normalise_text(r["text"]).split())) / (len(words) or 1),
                         int(r["number"]))
                        for r in store.messages_of(bundle)
                    ),
                    reverse=True,
                )  # fmt: skip
                per_side[name] = store.messages_of(bundle, [n for s, n in scored[:3] if s >= 0.5])
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
