"""Offender networks across cases: links with evidence, clusters with stable ids, the exports an
analyst opens, on SQLite and on a real PostgreSQL (issue 19)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from unshared.usecases import police as P

from .conftest import FORCE_PASS, Bundles, run


def _import(url: str, passphrase: str | None, *paths: Path) -> None:
    store = P.open_force(url, passphrase)
    try:
        report = P.import_bundles(store, list(paths))
        assert not report.refused
    finally:
        store.close()


def _clusters(url: str, passphrase: str | None) -> list[dict[str, Any]]:
    store = P.open_force(url, passphrase)
    try:
        text = P.render_clusters(P.network(store), "jsonl")
    finally:
        store.close()
    return [json.loads(line) for line in text.splitlines()]


def _check_network(url: str, passphrase: str | None, bundles: Bundles) -> None:
    _import(url, passphrase, bundles.a, bundles.c)
    assert _clusters(url, passphrase) == []  # two different offenders: no cluster
    _import(url, passphrase, bundles.b, bundles.real)
    clusters = _clusters(url, passphrase)
    assert len(clusters) == 1
    one = clusters[0]
    assert len(one["cases"]) == 2
    kinds = {r["kind"] for link in one["links"] for r in link["reasons"]}
    assert {"identifier", "image", "script"} <= kinds
    shared = {s["shared"] for s in one["shared"]}
    assert "skype_id live:.cid.8f3a2b1c9d" in shared
    assert "collection_point john okafor|lagos, nigeria" in shared  # who collects the money
    # The reason each case is in the cluster.
    why = one["why"]
    assert set(why) == set(one["cases"])
    assert all(any("skype_id" in r for r in reasons) for reasons in why.values())
    # The id is stable: the same on a re-run, from the earliest case in the cluster.
    assert _clusters(url, passphrase)[0]["cluster"] == one["cluster"]


def test_one_offender_behind_two_reports_on_sqlite(bundles: Bundles, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'force.db'}"
    P.init(url, FORCE_PASS)
    _check_network(url, FORCE_PASS, bundles)


def test_one_offender_behind_two_reports_on_postgresql(bundles: Bundles, pg_url: str) -> None:
    P.init(pg_url, None)
    _check_network(pg_url, None, bundles)
    store = P.open_force(pg_url, None)
    try:
        import psycopg

        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            store.db.execute("DELETE FROM sightings")
        assert store.check_audit() == []
    finally:
        store.close()


def test_the_analysts_formats_and_views(bundles: Bundles, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'force.db'}"
    run("police", "init", "--db", url, cwd=tmp_path)
    run(
        "police",
        "import",
        "--db",
        url,
        str(bundles.a),
        str(bundles.b),
        str(bundles.c),
        cwd=tmp_path,
    )
    table = run("police", "clusters", "--db", url, cwd=tmp_path).stdout
    assert "live:.cid.8f3a2b1c9d" in table and "N-" in table

    rows = list(
        csv.DictReader(
            io.StringIO(
                run("police", "clusters", "--db", url, "--format", "csv", cwd=tmp_path).stdout
            )
        )
    )
    assert len(rows) == 1
    assert rows[0]["Entity1 Type"] == "Case" and float(rows[0]["Link Strength"]) >= 0.9
    assert "identifier" in rows[0]["Link Type"]

    graphml = run("police", "clusters", "--db", url, "--format", "graphml", cwd=tmp_path).stdout
    graph = nx.parse_graphml(graphml)
    assert graph.number_of_nodes() == 2 and graph.number_of_edges() == 1

    case_key = rows[0]["Entity1 Identity"]
    view = json.loads(run("police", "case", case_key, "--db", url, "--json", cwd=tmp_path).stdout)
    assert view["cluster"].startswith("N-")
    assert view["links"] and view["links"][0]["strength"] >= 0.9
    # Every link's evidence: the message, its exhibit and place.
    skype = [i for i in view["identifiers"] if i["kind"] == "skype_id"]
    assert skype[0]["message"] == 1 and len(skype[0]["exhibit"]) == 64 and skype[0]["locator"]
    assert any("Western Union" in m["text"] for m in view["messages"])

    entity = run("police", "entity", "live:.cid.8f3a2b1c9d", "--db", url, cwd=tmp_path).stdout
    assert entity.count("skype_id live:.cid.8f3a2b1c9d") == 2

    audit = run("police", "audit", "--db", url, cwd=tmp_path).stdout
    for action in ("import", "clusters", "read case", "read entity"):
        assert f"DC Test 1234: {action}" in audit


def test_sharing_finds_the_overlap_and_nothing_else(bundles: Bundles, tmp_path: Path) -> None:
    key = tmp_path / "agreed.key"
    key.write_bytes(b"a key both forces agreed on, 32+ bytes long")
    force_a = f"sqlite:///{tmp_path / 'a.db'}"
    force_b = f"sqlite:///{tmp_path / 'b.db'}"
    for url, bundle in ((force_a, bundles.a), (force_b, bundles.b)):
        run("police", "init", "--db", url, cwd=tmp_path)
        run("police", "import", "--db", url, str(bundle), cwd=tmp_path)
    out = tmp_path / "a-share.jsonl"
    run(
        "police",
        "export-shared",
        "--db",
        force_a,
        "--key-file",
        str(key),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    text = out.read_text()
    assert "live:" not in text and "Western" not in text and "Sam" not in text
    found = run(
        "police", "match", str(out), "--db", force_b, "--key-file", str(key), cwd=tmp_path
    ).stdout
    assert "skype_id live:.cid.8f3a2b1c9d" in found
    assert "pdq" in found  # the same picture, re-compressed

    other_key = tmp_path / "other.key"
    other_key.write_bytes(b"a different key of enough length")
    refused = run(
        "police",
        "match",
        str(out),
        "--db",
        force_b,
        "--key-file",
        str(other_key),
        cwd=tmp_path,
        check=False,
    )
    assert refused.returncode != 0 and "another key" in refused.stderr
