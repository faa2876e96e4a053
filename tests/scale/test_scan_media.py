"""`unshared scan-media` on a real Dask local cluster: the same matches as `unshared fingerprint`
plus a bank look-up, resumable partitions, unreadable files listed, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image
from skimage import data as skdata

from unshared.bank.matching import Matcher, Query
from unshared.bank.service import BankService, issue_token
from unshared.bank.sql import open_store
from unshared.fingerprints.media import fingerprint_file
from unshared.usecases.scan_media import plan_sources, scan_media

CASE = "case-token-scan-media-0001"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hosted")
    pictures = {
        "astronaut": skdata.astronaut(),
        "coffee": skdata.coffee(),
        "chelsea": skdata.chelsea(),
        "rocket": skdata.rocket(),
        "camera": np.stack([skdata.camera()] * 3, axis=-1),
    }
    for n, (name, pixels) in enumerate(pictures.items()):
        sub = folder / f"u{n % 2}"
        sub.mkdir(exist_ok=True)
        Image.fromarray(pixels).save(sub / f"{name}.jpg", quality=90)
    # A re-upload: the astronaut scaled and recompressed (a near match for PDQ only).
    Image.fromarray(pictures["astronaut"]).resize((400, 400)).save(
        folder / "reupload.jpg", quality=70
    )
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a picture")
    (folder / "notes.txt").write_text("not media")
    return folder


@pytest.fixture(scope="module")
def bank(media: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _fill(f"sqlite:///{tmp_path_factory.mktemp('bank') / 'bank.db'}", media)


def _fill(url: str, media: Path) -> str:
    """The bank at ``url`` with two of the pictures submitted."""
    store = open_store(url)
    service = BankService(store)
    token = service.authenticate(issue_token(store, "submitter"), "submitter")
    prints = [fingerprint_file(media / "u0" / "astronaut.jpg").to_dict(),
              fingerprint_file(media / "u1" / "coffee.jpg").to_dict()]  # fmt: skip
    service.submit(
        token, CASE, [{k: p[k] for k in ("pdq", "md5", "sha256")} for p in prints], "default"
    )
    store.close()
    return url


def _rows(out: Path) -> dict[str, dict[str, object]]:
    table = pq.read_table(sorted(out.glob("part-*.parquet")))
    return {Path(str(r["path"])).name: r for r in table.to_pylist()}


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_matches_equal_fingerprint_plus_bank_lookup(
    media: Path, bank: str, tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    if db == "postgresql":  # the platform's bank: a real PostgreSQL (started by .ci/run)
        bank = _fill(str(request.getfixturevalue("pg_url")), media)
    out = tmp_path / "results"
    result = scan_media(str(media), bank, out, workers=2, partition_size=2)
    assert result.files == 7 and result.partitions == 4 and result.skipped == 0
    rows = _rows(out)
    matcher = Matcher(open_store(bank))
    matcher.load()
    for name, row in rows.items():
        if row["error"]:
            continue
        fp = fingerprint_file(next(media.rglob(name)))
        assert (row["pdq"], row["md5"], row["sha256"]) == (fp.pdq, fp.md5, fp.sha256), name
        queries = [
            Query(k, v, 31)
            for k, v in (("pdq", fp.pdq), ("md5", fp.md5), ("sha256", fp.sha256))
            if v
        ]
        expected = sorted(
            (a["signal_type"], m["entry_id"], m["distance"])
            for a in matcher.lookup_many(queries) for m in a["matches"]
        )  # fmt: skip
        got = sorted(
            (m["signal_type"], m["entry_id"], m["distance"])
            for m in json.loads(str(row["matches"]))
        )
        assert got == expected, name
    assert {n for n, r in rows.items() if r["matches"] != "[]"} == {
        "astronaut.jpg",
        "coffee.jpg",
        "reupload.jpg",
    }
    assert result.matched == 3
    assert [Path(p).name for p, _ in result.unreadable] == ["broken.jpg"]
    assert "notes.txt" not in rows


def test_a_stopped_run_resumes_and_redoes_only_unfinished_partitions(
    media: Path, bank: str, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    first = scan_media(str(media), bank, out, workers=2, partition_size=2)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    # As if killed while two partitions were in flight: their files never got their names.
    lost = sorted(before)[1:3]
    for name in lost:
        (out / name).unlink()
    again = scan_media(str(media), bank, out, workers=2, partition_size=2)
    assert again.skipped == first.partitions - 2 and again.files == 4
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    assert set(after) == set(before)
    assert all(after[n] == before[n] for n in before if n not in lost)
    assert len(_rows(out)) == first.files


def test_a_manifest_and_an_fsspec_url_list_the_same_files(media: Path, tmp_path: Path) -> None:
    listed = plan_sources(str(media))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path\n" + "\n".join(reversed(listed)) + "\n")
    assert plan_sources(str(manifest)) == listed
    assert [u.removeprefix("file://") for u in plan_sources(f"file://{media}")] == listed


def test_the_command_line_at_80_columns(media: Path, bank: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, COLUMNS="80", PYTHONPATH=str(root / "src"))
    out = tmp_path / "res"
    run = subprocess.run(
        [sys.executable, "-m", "unshared", "scan-media", str(media), "--bank", bank,
         "--out", str(out), "--workers", "1", "--partition-size", "4"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (
        "Scanned 7 file(s) in 2 partition(s) (0 already done); 3 matched the bank; 1 could"
        in " ".join(run.stdout.split())
    )
    assert "unreadable:" in run.stdout and "broken.jpg" in run.stdout
