"""Attacks on the evidence bundle (issue 14, "Bundle"): each forgery must fail verify.

The forger here knows the format: it re-serialises JSON in the very form the bundle uses
(found by reproducing the untouched bytes), re-chains events and rewrites the manifest, so a
check that only compares the bundle with itself cannot catch it.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from report_case import build_case

from unshared.casefile.log import event_hash
from unshared.model import canonical_json
from unshared.report.bundle import make_bundle, verify_bundle

_LOG_FORMS: list[Callable[[Any], str]] = [
    canonical_json,
    lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True),
]
_MANIFEST_FORMS: list[Callable[[Any], str]] = [
    lambda v: json.dumps(v, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    lambda v: canonical_json(v) + "\n",
]


def _form(forms: list[Callable[[Any], str]], raw: str) -> Callable[[Any], str]:
    """The serialisation that gives back ``raw`` exactly (the forger copies the writer)."""
    value = json.loads(raw)
    for form in forms:
        if form(value) == raw:
            return form
    raise AssertionError("unknown JSON form")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("attacks")
    case = build_case(root / "a.case", Path(__file__).resolve().parents[1] / "data", None)
    try:
        made = make_bundle(case, root / "evidence.zip", pdf=False)
    finally:
        case.close()
    assert verify_bundle(made.path).ok
    return made.path


class Forger:
    """Reads a bundle into memory, lets a test change it, writes it back in canonical layout."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.names = zf.namelist()
            self.data = {n: zf.read(n) for n in self.names}
        self.log_lines = self.data["log.jsonl"].decode().splitlines()
        self.log_form = _form(_LOG_FORMS, self.log_lines[0])
        self.events = [json.loads(line) for line in self.log_lines]
        self.manifest_form = _form(_MANIFEST_FORMS, self.data["manifest.json"].decode())
        self.manifest = json.loads(self.data["manifest.json"])

    def rechain(self, start: int) -> None:
        """Recompute prev_hash and hash of every event from index ``start`` on."""
        for i in range(start, len(self.events)):
            ev = self.events[i]
            if i:
                ev["prev_hash"] = self.events[i - 1]["hash"]
            ev["hash"] = event_hash(
                ev["prev_hash"], ev["seq"], ev["at"], ev["type"], canonical_json(ev["payload"])
            )

    def set_member(self, name: str, data: bytes) -> None:
        self.data[name] = data
        for entry in self.manifest["files"]:
            if entry["path"] == name:
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                entry["size"] = len(data)

    def write(self, out: Path, *, raw_log: bytes | None = None, fix_manifest: bool = True) -> Path:
        log = raw_log
        if log is None:
            log = "".join(self.log_form(ev) + "\n" for ev in self.events).encode()
        self.set_member("log.jsonl", log)
        if fix_manifest:
            self.manifest["log_head"] = self.events[-1]["hash"]
        self.data["manifest.json"] = self.manifest_form(self.manifest).encode()
        from unshared.report.bundle import _put_bytes

        with zipfile.ZipFile(out, "w") as zf:
            for name in self.names:
                _put_bytes(zf, name, self.data[name])
        return out


def test_untouched_forger_round_trip_still_verifies(bundle: Path, tmp_path: Path) -> None:
    """The forger itself changes nothing when it changes nothing (so failures below are real)."""
    out = Forger(bundle).write(tmp_path / "same.zip")
    assert out.read_bytes() == bundle.read_bytes()


def test_edited_report_with_rechained_last_event_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    html = f.data["report/report.html"].replace(b"</body>", b"<p>I paid nothing.</p></body>")
    f.set_member("report/report.html", html)
    last = f.events[-1]
    assert last["type"] == "bundle_made"
    last["payload"]["files"]["report/report.html"] = hashlib.sha256(html).hexdigest()
    f.rechain(len(f.events) - 1)
    check = verify_bundle(f.write(tmp_path / "forged.zip"))
    assert not check.ok
    assert any(p.startswith("report/report.html") for p in check.problems), check.problems


def test_verify_names_the_seal_the_report_prints(bundle: Path) -> None:
    """The report prints the hash of the event that records the report's own hashes."""
    check = verify_bundle(bundle)
    assert check.ok and check.seal
    f = Forger(bundle)
    sealed = next(ev for ev in f.events if ev["hash"] == check.seal)
    assert sealed["type"] == "report_made"
    assert check.seal.encode() in f.data["report/report.html"]
    assert check.seal.encode() in f.data["report/case.jsonld"]
    assert f.events[-1]["hash"] != check.seal


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("exhibit", "acquired_at", "2020-01-01T00:00:00.000000Z"),
        ("exhibit", "original_name", "innocent.txt"),
        ("exhibit", "number", "E9"),
        ("top", "created_at", "2020-01-01T00:00:00.000000Z"),
        ("top", "case", "someone-else.case"),
        ("top", "log_events", 3),
    ],
)
def test_edited_manifest_field_fails(
    bundle: Path, tmp_path: Path, where: str, field: str, value: Any
) -> None:
    f = Forger(bundle)
    target = f.manifest["exhibits"][0] if where == "exhibit" else f.manifest
    assert target[field] != value
    target[field] = value
    check = verify_bundle(f.write(tmp_path / "m.zip"))
    assert not check.ok
    assert any(p.startswith("manifest.json") and field in p for p in check.problems), check.problems


def test_extra_key_in_manifest_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    f.manifest["note"] = "checked by the officer"
    check = verify_bundle(f.write(tmp_path / "x.zip"))
    assert any(p.startswith("manifest.json") and "note" in p for p in check.problems)


def test_duplicate_key_in_manifest_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    text = f.manifest_form(f.manifest)
    # A first copy of "case" that another JSON reader would show; Python keeps the last.
    forged = text.replace("{", '{"case": "other.case",', 1)
    f.data["manifest.json"] = forged.encode()
    from unshared.report.bundle import _put_bytes

    out = tmp_path / "dup.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for name in f.names:
            _put_bytes(zf, name, f.data[name])
    check = verify_bundle(out)
    assert any(p.startswith("manifest.json") for p in check.problems), check.problems


def test_extra_key_in_log_event_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    f.events[2]["comment"] = "the officer saw this"
    check = verify_bundle(f.write(tmp_path / "k.zip"))
    assert any(p.startswith("log.jsonl (line 3)") for p in check.problems), check.problems


def test_duplicate_payload_key_with_a_fake_first_copy_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    line = f.log_lines[2]
    i = line.index('"payload"')
    fake = f.log_form({"payload": {"original_name": "innocent.txt"}})[1:-1]
    lines = list(f.log_lines)
    lines[2] = line[:i] + fake + "," + line[i:]
    raw = ("\n".join(lines) + "\n").encode()
    check = verify_bundle(f.write(tmp_path / "p.zip", raw_log=raw))
    assert any(p.startswith("log.jsonl (line 3)") for p in check.problems), check.problems


def test_non_canonical_log_line_fails(bundle: Path, tmp_path: Path) -> None:
    f = Forger(bundle)
    lines = list(f.log_lines)
    lines[1] = lines[1].replace(":", ": ", 1) if ": " not in lines[1] else lines[1] + " "
    raw = ("\n".join(lines) + "\n").encode()
    check = verify_bundle(f.write(tmp_path / "c.zip", raw_log=raw))
    assert any(p.startswith("log.jsonl (line 2)") for p in check.problems), check.problems


# ------------------------------------------------------------------------------ zip bombs
def _deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes, built in time linear in its own length."""
    block = 1 << 20
    assert size % block == 0 and size >= 3 * block
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zero = bytes(block)
    first = comp.compress(zero) + comp.flush(zlib.Z_SYNC_FLUSH)
    second = comp.compress(zero) + comp.flush(zlib.Z_SYNC_FLUSH)
    third = comp.compress(zero) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert second == third  # a steady state: each further MiB of zeros is the same bytes
    tail = comp.compress(b"") + comp.flush(zlib.Z_FINISH)
    return first + second * (size // block - 1) + tail


def _bomb(bundle: Path, out: Path, *, inflated: int, honest: bool) -> str:
    """Replace the first original with a deflated member of ``inflated`` zero bytes."""
    f = Forger(bundle)
    victim = next(n for n in f.names if n.startswith("originals/"))
    stream = _deflated_zeros(inflated)
    crc = 0
    zero = bytes(1 << 20)
    for _ in range(inflated >> 20):
        crc = zlib.crc32(zero, crc)
    if honest:  # the manifest declares the true size (the hash stays the original's)
        for entry in f.manifest["files"]:
            if entry["path"] == victim:
                entry["size"] = inflated
    f.data["manifest.json"] = f.manifest_form(f.manifest).encode()
    from unshared.report.bundle import _put_bytes

    with zipfile.ZipFile(out, "w") as zf:
        for name in f.names:
            if name != victim:
                _put_bytes(zf, name, f.data[name])
                continue
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.CRC = crc
            info.file_size = inflated
            info.compress_size = len(stream)
            # Write the member by hand: header, then the prepared deflate stream.
            info.header_offset = zf.fp.tell()  # type: ignore[union-attr]
            zf.fp.write(info.FileHeader(False))  # type: ignore[union-attr]
            zf.fp.write(stream)  # type: ignore[union-attr]
            zf.filelist.append(info)
            zf.NameToInfo[name] = info
            zf.start_dir = zf.fp.tell()  # type: ignore[union-attr]
    with zipfile.ZipFile(out) as zf:  # the bomb is a well-formed zip
        assert zf.getinfo(victim).file_size == inflated
    return victim


@pytest.mark.parametrize("honest", [False, True])
def test_zip_bomb_fails_at_once_without_inflating_or_temporary_files(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, honest: bool
) -> None:
    inflated = 256 << 20
    victim = _bomb(bundle, tmp_path / "bomb.zip", inflated=inflated, honest=honest)
    assert (tmp_path / "bomb.zip").stat().st_size < inflated // 100

    pulled = {"bytes": 0}
    real_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = real_read(self, n)
        if self.name == victim:
            pulled["bytes"] += len(data)
        return data

    def no_temp(*a: object, **k: object) -> object:
        raise AssertionError("verify must not write a temporary copy")

    import tempfile

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, no_temp)
    check = verify_bundle(tmp_path / "bomb.zip")
    assert not check.ok
    assert any(p.startswith(victim) for p in check.problems), check.problems
    # Nothing beyond what the manifest could declare honestly for a stored member is inflated.
    assert pulled["bytes"] <= 1 << 20, pulled
