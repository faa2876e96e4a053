"""Offender networks: cases joined by links strong enough, with stable ids and reasons. Pure.

A cluster is a connected group of cases in the graph whose edges are pairs with strength at
least :data:`LINK_MIN` (networkx). Its id is ``N-`` and the first 10 characters of the case key of
the earliest imported case in it, so re-running gives the same ids, and a cluster keeps its id
when new cases join it (when two clusters merge, the older id wins).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from unshared.police.links import Link, Reason

__all__ = ["Cluster", "LINK_MIN", "build_clusters", "to_csv", "to_graphml", "to_jsonl"]

LINK_MIN = 0.5


@dataclass
class Cluster:
    id: str
    cases: list[int]
    links: list[Link] = field(default_factory=list)

    def why(self, case: int) -> list[Reason]:
        """The reasons of the strongest link that holds ``case`` in the cluster."""
        mine = [link for link in self.links if case in (link.a, link.b)]
        if not mine:
            return []
        return max(mine, key=lambda link: link.strength).reasons

    def shared(self) -> list[tuple[str, str, int]]:
        """(kind, what, cases) for everything shared inside the cluster, most cases first."""
        seen: dict[tuple[str, str], set[int]] = defaultdict(set)
        for link in self.links:
            for reason in link.reasons:
                seen[(reason.kind, reason.label)] |= {link.a, link.b}
        return sorted(
            ((k, label, len(c)) for (k, label), c in seen.items()), key=lambda t: (-t[2], t)
        )


def merge(links: Iterable[tuple[int, int, Reason]]) -> dict[tuple[int, int], Link]:
    out: dict[tuple[int, int], Link] = {}
    for a, b, reason in links:
        key = (min(a, b), max(a, b))
        link = out.get(key)
        if link is None:
            link = out[key] = Link(*key)
        if reason not in link.reasons:
            link.reasons.append(reason)
    return out


def build_clusters(
    cases: dict[int, str],
    links: Iterable[tuple[int, int, Reason]],
    *,
    min_strength: float = LINK_MIN,
    singletons: bool = False,
) -> list[Cluster]:
    """``cases``: case id -> case key (ids in import order). Biggest cluster first."""
    merged = merge(links)
    graph: nx.Graph = nx.Graph()
    if singletons:
        graph.add_nodes_from(cases)
    by_pair: dict[tuple[int, int], Link] = {}
    for key, link in merged.items():
        if link.strength >= min_strength:
            graph.add_edge(*key)
            by_pair[key] = link
    out: list[Cluster] = []
    for component in nx.connected_components(graph):
        members = sorted(component)
        inside = [by_pair[(min(a, b), max(a, b))] for a, b in graph.subgraph(members).edges()]
        out.append(Cluster("N-" + cases[members[0]][:10], members, inside))
    out.sort(key=lambda c: (-len(c.cases), c.id))
    return out


def to_jsonl(
    clusters: list[Cluster],
    names: dict[int, str],
    related: Iterable[tuple[int, int, list[Reason]]] = (),
) -> str:
    """One JSON line per cluster, then one per pair of networks that are ``related`` (words or
    payment habits only: possibly related, not merged)."""
    lines = []
    for c in clusters:
        lines.append(
            json.dumps(
                {
                    "cluster": c.id,
                    "cases": [names[i] for i in c.cases],
                    "links": [
                        {
                            "a": names[link.a],
                            "b": names[link.b],
                            "strength": link.strength,
                            "reasons": [
                                {"kind": r.kind, "shared": r.label, "weight": r.weight}
                                for r in link.reasons
                            ],
                        }
                        for link in c.links
                    ],
                    "shared": [{"kind": k, "shared": s, "cases": n} for k, s, n in c.shared()],
                    "why": {names[i]: [f"{r.kind}: {r.label}" for r in c.why(i)] for i in c.cases},
                },
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    for a, b, reasons in related:
        lines.append(
            json.dumps(
                {
                    "possibly_related": [names[a], names[b]],
                    "why": [f"{r.kind}: {r.label}" for r in reasons],
                },
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    return "\n".join(lines) + ("\n" if lines else "")


def to_graphml(clusters: list[Cluster], names: dict[int, str]) -> str:
    graph: nx.Graph = nx.Graph()
    for c in clusters:
        for case in c.cases:
            graph.add_node(names[case], cluster=c.id, type="case")
        for link in c.links:
            graph.add_edge(
                names[link.a],
                names[link.b],
                strength=link.strength,
                reasons="; ".join(f"{r.kind}: {r.label}" for r in link.reasons),
            )
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def to_csv(clusters: list[Cluster], names: dict[int, str]) -> str:
    """One row per link, shaped for i2 Analyst's Notebook's tabular import: two entities
    (case -> case) and the link's type, strength and description."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Cluster",
            "Entity1 Type",
            "Entity1 Identity",
            "Entity2 Type",
            "Entity2 Identity",
            "Link Type",
            "Link Strength",
            "Link Description",
        ]
    )
    for c in clusters:
        for link in c.links:
            writer.writerow(
                [
                    c.id,
                    "Case",
                    names[link.a],
                    "Case",
                    names[link.b],
                    "+".join(sorted({r.kind for r in link.reasons})),
                    f"{link.strength:.2f}",
                    "; ".join(f"{r.kind}: {r.label}" for r in link.reasons),
                ]
            )
    return out.getvalue()
