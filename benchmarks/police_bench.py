"""`unshared police` at scale (issue 19). Run by hand, not part of the tests:

    PYTHONPATH=src python benchmarks/police_bench.py --cases 1000 --groups 100 --dir /tmp
    PYTHONPATH=src python benchmarks/police_bench.py --cases 100000 --groups 5000 --dir /tmp
    PYTHONPATH=src python benchmarks/police_bench.py --cases 100000 --groups 5000 --dir /tmp \
        --db postgresql://postgres:unshared@127.0.0.1:5432/postgres

1. Generates N cases from M offender groups (benchmarks/police_synth.py) and imports them into a
   new force database (encrypted SQLite, or a fresh schema on the PostgreSQL given): time, cases/s.
2. Re-clusters everything in a fresh process (``police clusters``' use case): time and peak
   memory of that process.
3. Precision and recall of the recovered groups against the truth, over pairs of cases (two cases
   of one group in one cluster is a true pair), beside a baseline from the same run that links
   cases on shared identifiers only (what a search for each Skype ID or phone would find).
4. Incremental import: real bundles made with ``unshared new/add/bundle`` from synthetic WhatsApp
   exports, imported one by one into the full database (verify, read again, analyse, store):
   seconds per case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

PASS = "benchmark force passphrase"


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(truth: dict[str, int], found: dict[str, str]) -> tuple[float, float]:
    both = Counter((found[k], truth[k]) for k in truth)
    tp = sum(pairs(n) for n in both.values())
    predicted = sum(pairs(n) for n in Counter(found.values()).values())
    actual = sum(pairs(n) for n in Counter(truth.values()).values())
    return (tp / predicted if predicted else 1.0, tp / actual if actual else 1.0)


CLUSTER_CODE = """
import json, resource, sys, time
from unshared.usecases import police as P
url, passphrase, only_ids = sys.argv[1], sys.argv[2] or None, sys.argv[3] == "1"
store = P.open_force(url, passphrase)
t = time.perf_counter()
if only_ids:
    from unshared.police import links as L
    from unshared.police.clusters import build_clusters
    latest = store.latest_bundles()
    bc = {b: c for c, (b, _) in latest.items()}
    cases = {c: k for c, (_, k) in latest.items()}
    found = L.identifier_links((bc[b], k, v) for b, k, v in store.identifier_rows())
    clusters = build_clusters(cases, found, singletons=True)
    names = {c: k for c, k in cases.items()}
else:
    net = P.network(store, singletons=True)
    clusters, names = net.clusters, {c: k for c, (_, k) in store.latest_bundles().items()}
seconds = time.perf_counter() - t
out = {names[c]: cl.id for cl in clusters for c in cl.cases}
print(json.dumps({"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "clusters": sum(1 for cl in clusters if len(cl.cases) > 1), "found": out}))
"""


def cluster(url: str, passphrase: str | None, only_ids: bool) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "-c", CLUSTER_CODE, url, passphrase or "", "1" if only_ids else "0"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def real_bundles(folder: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests" / "police"))
    if TYPE_CHECKING:  # the same file, named as the tests package names it
        from tests.police.builders import network_chat
    else:
        from builders import network_chat

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), UNSHARED_PASSPHRASE=PASS)
    out = []
    for i in range(count):
        export = network_chat(
            folder / f"r{i}.zip",
            f"V{i}",
            f"Off{i}",
            1,
            skype=f"live:.cid.{i:010x}",
            picture_seed=1000 + i,
            script=i % 2,
        )
        case = folder / f"r{i}.case"
        for args in (
            ["new", str(case)],
            ["add", str(case), str(export)],
            ["bundle", str(case), "--out", str(folder / f"r{i}.zip.bundle.zip"), "--no-pdf"],
        ):
            subprocess.run(
                [sys.executable, "-m", "unshared", *args], env=env, check=True, capture_output=True
            )
        out.append(folder / f"r{i}.zip.bundle.zip")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--messages", type=int, default=100, help="messages per case")
    parser.add_argument("--seed", type=int, default=1, help="the synthetic networks' seed")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (default: SQLite in --dir)")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--incremental", type=int, default=3, help="real bundles imported at the end"
    )
    args = parser.parse_args()

    from police_synth import generate

    from unshared.usecases import police as P

    work = Path(tempfile.mkdtemp(dir=args.dir, prefix="police-bench-"))
    if args.db:
        import psycopg

        schema = "bench_" + secrets.token_hex(4)
        with psycopg.connect(args.db, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in args.db else "?"
        url, passphrase = f"{args.db}{sep}options={quote(f'-csearch_path={schema}')}", None
        engine = "PostgreSQL"
    else:
        url, passphrase, engine = f"sqlite:///{work / 'force.db'}", PASS, "SQLite (encrypted)"
    print(
        f"# machine: {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}, load {os.getloadavg()[0]:.2f}; {engine}"
    )
    P.init(url, passphrase)
    store = P.open_force(url, passphrase)
    truth: dict[str, int] = {}
    offender_messages = 0
    t = time.perf_counter()
    for group, digest in generate(args.cases, args.groups, seed=args.seed, messages=args.messages):
        store.import_digest(digest)
        truth[digest.case_key] = group
        offender_messages += len(digest.messages)
    took = time.perf_counter() - t
    store.close()
    sizes = Counter(truth.values())
    print(
        f"cases {args.cases} from {args.groups} groups ({sum(1 for s in sizes.values() if s > 1)} "
        f"with 2+ cases); {args.cases * args.messages:,} messages of which {offender_messages:,} "
        "offender lines stored"
    )
    print(
        f"import: {took:.1f} s ({args.cases / took:,.0f} cases/s), "
        f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    for label, only_ids in (("police clusters", False), ("identifiers only (baseline)", True)):
        result = cluster(url, passphrase, only_ids)
        found = {k: str(v) for k, v in result["found"].items()}  # type: ignore[attr-defined]
        precision, recall = pair_scores(truth, found)
        print(
            f"{label}: {result['seconds']:.1f} s, peak {result['peak_mib']:.0f} MiB, "
            f"{result['clusters']} clusters; pair precision {precision:.3f}, recall {recall:.3f}"
        )
    if args.incremental:
        bundles = real_bundles(work, args.incremental)
        store = P.open_force(url, passphrase)
        for path in bundles:
            t = time.perf_counter()
            report = P.import_bundles(store, [path])
            assert not report.refused, report.refused
            print(f"incremental import of one real bundle: {time.perf_counter() - t:.2f} s")
        store.close()


if __name__ == "__main__":
    main()
