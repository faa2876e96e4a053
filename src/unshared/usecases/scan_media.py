"""``unshared scan-media``: a platform checks media it already hosts against a hash bank.

The source (a folder, an fsspec URL such as ``s3://bucket/uploads/``, or a CSV/Parquet manifest
with a ``path`` column) is listed once into a plan of partitions; Dask runs one task per
partition, on a local cluster on this machine's cores by default or on a scheduler the platform
runs. Each task reads its files in place (into memory, never to disk), fingerprints them (PDQ, MD5,
SHA-256; vPDQ for video), matches them against the bank's indexes loaded once per worker, with the
bank's own thresholds and its negative (benign) list, and writes one Parquet file. A partition is
done when its Parquet file has its name: a run that stops (crash, Ctrl-C) and is started again
skips done partitions and redoes at most the ones in flight. An unreadable file is a row with its
error, never the end of the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unshared.errors import InputFileError

__all__ = ["ScanMediaResult", "plan_sources", "scan_media", "scan_partition"]

MEDIA_SUFFIXES = frozenset(
    [
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".heic",
        ".heif",
        ".bmp",
        ".tif",
        ".tiff",
        ".mp4",
        ".mov",
        ".m4v",
        ".3gp",
        ".webm",
        ".mkv",
        ".avi",
    ]
)
PLAN = "plan.json"
_MATCHERS: dict[str, Any] = {}
"""One loaded bank per worker process, by URL (loaded on first use, kept for the next tasks)."""


@dataclass
class ScanMediaResult:
    out: Path
    files: int = 0
    partitions: int = 0
    skipped: int = 0
    matched: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    dashboard: str | None = None


def plan_sources(source: str) -> list[str]:
    """Every media file of ``source`` (folder, fsspec URL, or a CSV/Parquet manifest), sorted."""
    import fsspec

    low = source.lower()
    if low.endswith((".csv", ".parquet")):
        return _manifest(source)
    fs, root = fsspec.core.url_to_fs(source)
    if not fs.exists(root):
        raise InputFileError("no such folder or location", path=source)
    if fs.isfile(root):
        names = [root]
    else:
        names = [n for n in fs.find(root) if os.path.splitext(n)[1].lower() in MEDIA_SUFFIXES]
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return sorted(n if protocol == "file" else f"{protocol}://{n}" for n in names)


def _manifest(source: str) -> list[str]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        table = (
            pq.read_table(source) if source.lower().endswith(".parquet") else pacsv.read_csv(source)
        )
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read the manifest ({exc})", path=source) from None
    if "path" not in table.column_names:
        raise InputFileError('the manifest needs a "path" column', path=source)
    return sorted(str(p) for p in table.column("path").to_pylist() if p)


def scan_partition(
    number: int, urls: list[str], bank: str, out: str, threshold: int = 31
) -> dict[str, Any]:
    """Fingerprint and match one partition; write ``part-<n>.parquet`` atomically. Runs in a
    Dask worker (or in process)."""
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unshared.errors import UnsharedError
    from unshared.fingerprints.media import fingerprint_bytes

    matcher = _matcher(bank)
    rows: list[dict[str, Any]] = []
    for url in urls:
        row: dict[str, Any] = {"path": url, "md5": None, "sha256": None, "pdq": None,
                               "quality": None, "frames": 0, "matches": "[]", "error": None}  # fmt: skip
        try:
            with fsspec.open(url, "rb") as fh:
                data = fh.read()
            fp = fingerprint_bytes(data, os.path.basename(url))
            del data
            row.update(md5=fp.md5, sha256=fp.sha256, pdq=fp.pdq, quality=fp.quality)
            row["frames"] = len(fp.vpdq)
            row["matches"] = json.dumps(_match(matcher, fp, threshold), sort_keys=True)
        except (UnsharedError, OSError, ValueError) as exc:
            row["error"] = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=_SCHEMA())
    final = Path(out) / f"part-{number:06d}.parquet"
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, final)  # the partition is done only once its file has its name
    return {
        "partition": number,
        "files": len(rows),
        "matched": sum(1 for r in rows if r["matches"] != "[]"),
        "unreadable": [(r["path"], r["error"]) for r in rows if r["error"]],
    }


def _SCHEMA() -> Any:
    import pyarrow as pa

    return pa.schema(
        [("path", pa.string()), ("md5", pa.string()), ("sha256", pa.string()), ("pdq", pa.string()),
         ("quality", pa.int32()), ("frames", pa.int32()), ("matches", pa.string()),
         ("error", pa.string())]
    )  # fmt: skip


def _matcher(bank: str) -> Any:
    found = _MATCHERS.get(bank)
    if found is None:
        from unshared.bank.matching import Matcher
        from unshared.bank.sql import open_store

        url = bank if "://" in bank else f"sqlite:///{Path(bank).resolve()}"
        found = Matcher(open_store(url))
        found.load()
        _MATCHERS[bank] = found
    return found


def _match(matcher: Any, fp: Any, threshold: int) -> list[dict[str, Any]]:
    """What ``unshared bank lookup`` reports for these fingerprints, from the loaded indexes."""
    from unshared.bank.matching import Query

    queries = [Query(kind, value, threshold) for kind, value in
               (("pdq", fp.pdq), ("md5", fp.md5), ("sha256", fp.sha256)) if value]  # fmt: skip
    out: list[dict[str, Any]] = []
    for answer in matcher.lookup_many(queries) if queries else []:
        for m in answer["matches"]:
            out.append({"signal_type": answer["signal_type"], "entry_id": m["entry_id"],
                        "distance": m["distance"], "bank": m.get("bank")})  # fmt: skip
    if fp.vpdq:
        for m in matcher.lookup_vpdq([frame[1] for frame in fp.vpdq], threshold):
            out.append({"signal_type": "vpdq", "entry_id": m["entry_id"], "distance": None,
                        "bank": m.get("bank")})  # fmt: skip
    return sorted(out, key=lambda m: (m["entry_id"], m["signal_type"]))


def _partitions(urls: list[str], size: int) -> list[list[str]]:
    return [urls[i : i + size] for i in range(0, len(urls), size)]


def scan_media(
    source: str,
    bank: str,
    out: Path,
    *,
    cluster: str | None = None,
    workers: int | None = None,
    partition_size: int = 64,
    threshold: int = 31,
    progress: Callable[[int, int], None] | None = None,
    started: Callable[[str | None], None] | None = None,
) -> ScanMediaResult:
    """Scan ``source`` against ``bank`` (a bank database URL or file) into ``out`` (see the
    module docstring). ``progress(done, total)`` after each partition; ``started(dashboard)``."""
    out.mkdir(parents=True, exist_ok=True)
    plan_file = out / PLAN
    if plan_file.exists():
        plan = json.loads(plan_file.read_text())
        if plan.get("source") != source:
            raise InputFileError(
                f"this folder holds a scan of {plan.get('source')!r}; use another --out",
                path=str(out),
            )
    else:
        plan = {"source": source, "partitions": _partitions(plan_sources(source), partition_size)}
        tmp = plan_file.with_name(PLAN + ".tmp")
        tmp.write_text(json.dumps(plan))
        os.replace(tmp, plan_file)
    parts: list[list[str]] = plan["partitions"]
    result = ScanMediaResult(out, partitions=len(parts))
    todo = [n for n in range(len(parts)) if not (out / f"part-{n:06d}.parquet").exists()]
    result.skipped = len(parts) - len(todo)
    for summary in _run(
        todo, parts, bank, out, cluster, workers, threshold, result, started, progress
    ):
        result.files += summary["files"]
        result.matched += summary["matched"]
        result.unreadable += [tuple(u) for u in summary["unreadable"]]
    return result


def _run(
    todo: list[int],
    parts: list[list[str]],
    bank: str,
    out: Path,
    cluster: str | None,
    workers: int | None,
    threshold: int,
    result: ScanMediaResult,
    started: Callable[[str | None], None] | None,
    progress: Callable[[int, int], None] | None,
) -> Iterator[dict[str, Any]]:
    from distributed import Client, LocalCluster, as_completed

    local = None
    if cluster:
        client = Client(cluster)
    else:
        local = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(local)
    try:
        result.dashboard = client.dashboard_link if cluster else None
        if started is not None:
            started(result.dashboard)
        futures = [
            client.submit(scan_partition, n, parts[n], bank, str(out), threshold, pure=False)
            for n in todo
        ]
        done = result.skipped
        if progress is not None:
            progress(done, len(parts))
        for future in as_completed(futures):
            summary: dict[str, Any] = future.result()
            done += 1
            if progress is not None:
                progress(done, len(parts))
            yield summary
    finally:
        client.close()
        if local is not None:
            local.close()
