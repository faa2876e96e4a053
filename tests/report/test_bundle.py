"""The evidence bundle checks out, and fails naming the file on any change."""

from __future__ import annotations

import hashlib
import json
import random
import zipfile
from pathlib import Path

import pytest
from report_case import build_case

from unshared.errors import CaseFileError, InputFileError
from unshared.model import canonical_json
from unshared.report.bundle import make_bundle, verify_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundle")
    case = build_case(root / "b.case", Path(__file__).resolve().parents[1] / "data", "pw")
    try:
        made = make_bundle(case, root / "evidence.zip", pdf=False)
        events = list(case.events())
    finally:
        case.close()
    assert made.log_head == events[-1].hash and events[-1].type == "bundle_made"
    assert events[-2].type == "report_made"
    return made.path


def _variant(bundle: Path, tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "changed.zip"
    path.write_bytes(data)
    return path


def _rezip(src: Path, dst: Path, edit: dict[str, bytes | None]) -> None:
    """Copy a bundle, replacing (bytes) or dropping (None) members; keeps the same layout."""
    from unshared.report.bundle import _put_bytes

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = edit.get(info.filename, zin.read(info))
            if data is not None:
                _put_bytes(zout, info.filename, data)


def test_bundle_contents_and_verify_ok(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
        log = [json.loads(line) for line in zf.read("log.jsonl").splitlines()]
    assert names[-1] == "manifest.json" and "log.jsonl" in names
    assert {"report/report.html", "report/case.jsonld"} <= set(names)
    originals = [n for n in names if n.startswith("originals/")]
    assert len(originals) == 2
    for n in originals:  # byte-exact: the folder name is the SHA-256 of the bytes inside
        with zipfile.ZipFile(bundle) as zf:
            assert hashlib.sha256(zf.read(n)).hexdigest() == n.split("/")[1]
    assert all({"prev_hash", "hash", "seq", "payload"} <= set(ev) for ev in log)
    check = verify_bundle(bundle)
    assert check.ok, check.problems
    assert check.exhibits == 2 and check.files_checked == len(manifest["files"])
    assert check.log_head == log[-1]["hash"] == manifest["log_head"]


def test_changed_byte_in_each_member_fails_naming_it(bundle: Path, tmp_path: Path) -> None:
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as zf:
        infos = zf.infolist()
    for info in infos:
        # The member's data starts after its local header (30 bytes + name, no extra field).
        start = info.header_offset + 30 + len(info.filename.encode())
        pos = start + info.compress_size // 2
        changed = bytearray(data)
        changed[pos] ^= 0x20
        check = verify_bundle(_variant(bundle, tmp_path, bytes(changed)))
        assert not check.ok
        assert any(p.startswith(info.filename) for p in check.problems), (
            info.filename,
            check.problems,
        )


def test_any_single_changed_byte_fails(bundle: Path, tmp_path: Path) -> None:
    data = bundle.read_bytes()
    rng = random.Random(7)
    # Every byte of the zip's headers and directory, and a sample of the members' data.
    with zipfile.ZipFile(bundle) as zf:
        start_dir = zf.start_dir
        heads = [i.header_offset for i in zf.infolist()]
    positions = set(range(start_dir, len(data)))
    for h in heads:
        positions.update(range(h, h + 80))
    positions.update(rng.sample(range(len(data)), 150))
    for pos in sorted(p for p in positions if p < len(data)):
        changed = bytearray(data)
        changed[pos] ^= 0x01
        check = verify_bundle(_variant(bundle, tmp_path, bytes(changed)))
        assert not check.ok, f"a change at byte {pos} was not detected"
        assert check.problems


def test_removed_file_fails(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        original = next(n for n in zf.namelist() if n.startswith("originals/"))
    out = tmp_path / "removed.zip"
    _rezip(bundle, out, {original: None})
    check = verify_bundle(out)
    assert not check.ok
    assert f"{original}: missing from the bundle" in check.problems
    assert any("in the log but missing from the bundle" in p for p in check.problems)


def test_extra_file_fails(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "extra.zip"
    _rezip(bundle, out, {})
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("originals/extra.txt", b"planted")
    check = verify_bundle(out)
    assert "originals/extra.txt: in the zip but not listed in the manifest" in check.problems


def test_tampered_log_fails_even_with_a_matching_manifest(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        log = zf.read("log.jsonl").decode()
        manifest = json.loads(zf.read("manifest.json"))
    lines = log.splitlines(keepends=True)
    event = json.loads(lines[2])
    event["payload"]["original_name"] = "something-else.txt"
    lines[2] = canonical_json(event) + "\n"
    new_log = "".join(lines).encode()
    for entry in manifest["files"]:  # a forger who also fixes the manifest
        if entry["path"] == "log.jsonl":
            entry["sha256"] = hashlib.sha256(new_log).hexdigest()
            entry["size"] = len(new_log)
    from unshared.report.bundle_format import manifest_bytes as _manifest_bytes

    out = tmp_path / "log.zip"
    _rezip(bundle, out, {"log.jsonl": new_log, "manifest.json": _manifest_bytes(manifest)})
    check = verify_bundle(out)
    assert not check.ok
    assert any(p.startswith("log.jsonl: event 3") for p in check.problems), check.problems


def test_replaced_original_with_fixed_manifest_fails_against_the_log(
    bundle: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    target = next(e for e in manifest["files"] if e["path"].startswith("originals/"))
    forged = b"a different file"
    target["sha256"] = hashlib.sha256(forged).hexdigest()
    target["size"] = len(forged)
    from unshared.report.bundle_format import manifest_bytes as _manifest_bytes

    out = tmp_path / "forged.zip"
    _rezip(bundle, out, {target["path"]: forged, "manifest.json": _manifest_bytes(manifest)})
    check = verify_bundle(out)
    assert any(
        p.startswith(target["path"]) and "recorded in the log" in p for p in check.problems
    ), check.problems


def test_not_a_zip_and_missing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    check = verify_bundle(junk)
    assert not check.ok and "not a readable zip" in check.problems[0]
    with pytest.raises(InputFileError):
        verify_bundle(tmp_path / "absent.zip")


def test_bundle_never_overwrites(bundle: Path, tmp_path: Path, data_dir: Path) -> None:
    case = build_case(tmp_path / "c.case", data_dir, None)
    try:
        with pytest.raises(CaseFileError):
            make_bundle(case, bundle, pdf=False)
    finally:
        case.close()


def test_each_log_line_reads_back_as_the_event_written(bundle: Path) -> None:
    """``event_from_line`` (shared by the verifier and the police reader) is the inverse of
    ``log_line`` on a real bundle, and refuses any other form of the same event."""
    from unshared.casefile.log import check_chain
    from unshared.report.bundle_format import event_from_line, log_line

    with zipfile.ZipFile(bundle) as zf:
        raw = zf.read("log.jsonl")
    lines = raw[:-1].split(b"\n")
    events = [event_from_line(line) for line in lines]
    assert [log_line(ev) for ev in events] == [line + b"\n" for line in lines]
    assert check_chain(events) == [] and events[-1].type == "bundle_made"
    d = json.loads(lines[0])
    spaced = json.dumps(d, sort_keys=True).encode()
    extra = canonical_json({**d, "note": 1}).encode()
    twice = lines[0][:-1] + b',"seq":' + str(d["seq"]).encode() + b"}"
    for bad in (spaced, extra, twice, b"[]", b'{"seq":NaN}', b"\xff"):
        with pytest.raises(ValueError):
            event_from_line(bad)
