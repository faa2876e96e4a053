"""report.html and case.jsonld are written as they are rendered (never whole in memory), and the
bytes are the ones the in-memory renderers give: in the report folder and in the bundle."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from report_case import build_case

from unshared.report.bundle import make_bundle, verify_bundle
from unshared.report.jsonld import build_jsonld, stream_jsonld
from unshared.report.pack import SEAL_ZERO, _write_zeroed, model_of, write_report
from unshared.report.render import render_html, stream_html

DATA = Path(__file__).resolve().parents[1] / "data"
MARKER = "ab12" * 16


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's "made on" time, fixed, so two renderings of one case can be compared."""
    from dataclasses import replace

    from unshared.report import pack
    from unshared.report.data import collect as read

    monkeypatch.setattr(
        pack, "collect", lambda case: replace(read(case), generated_at="2026-01-02T03:04:05Z")
    )


def _old(model: object, seal: str) -> dict[str, bytes]:
    """The two sealed files as the in-memory renderers make them (the reference)."""
    return {
        "report.html": render_html(model, seal=seal).encode(),  # type: ignore[arg-type]
        "case.jsonld": (
            json.dumps(build_jsonld(model, seal=seal), ensure_ascii=False, indent=1) + "\n"  # type: ignore[arg-type]
        ).encode(),
    }


def test_the_streams_give_the_text_of_the_in_memory_renderers(tmp_path: Path) -> None:
    case = build_case(tmp_path / "s.case", DATA, None)
    try:
        model = model_of(case)
    finally:
        case.close()
    for compact in (False, True):
        assert "".join(stream_html(model, compact=compact, seal=MARKER)) == render_html(
            model, compact=compact, seal=MARKER
        )
    assert "".join(stream_jsonld(model, seal=MARKER)) == json.dumps(
        build_jsonld(model, seal=MARKER), ensure_ascii=False, indent=1
    )


@pytest.mark.usefixtures("fixed_clock")
def test_the_bundle_holds_the_bytes_the_in_memory_renderers_give(tmp_path: Path) -> None:
    case = build_case(tmp_path / "b.case", DATA, None)
    try:
        model = model_of(case)  # what make_bundle reads next: same events, same clock
        made = make_bundle(case, tmp_path / "bundle.zip", pdf=False)
    finally:
        case.close()
    assert verify_bundle(made.path).ok
    with zipfile.ZipFile(made.path) as zf:
        got = {name: zf.read(f"report/{name}") for name in ("report.html", "case.jsonld")}
    assert got == _old(model, made.seal)
    html = got["report.html"].decode()
    assert model.message_count == 10 and all(
        f"{r.number}. {r.time}" in html and r.locator in html for r in model.messages
    )
    assert not [p for p in tmp_path.iterdir() if p.name not in ("b.case", "bundle.zip")]


@pytest.mark.usefixtures("fixed_clock")
def test_the_report_folder_holds_the_same_bytes(tmp_path: Path) -> None:
    case = build_case(tmp_path / "r.case", DATA, None)
    try:
        model = model_of(case)
        made = write_report(case, tmp_path / "out", pdf=False)
    finally:
        case.close()
    want = _old(model, made.seal)
    assert {n: (tmp_path / "out" / n).read_bytes() for n in want} == want
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["case.jsonld", "report.html"]


def test_the_seal_place_is_found_wherever_the_pieces_split_it() -> None:
    text = "é" * 7 + "<b>" + MARKER + "</b>" + "z" * 5
    whole = text.encode()
    at = whole.index(MARKER.encode())
    want = whole[:at] + SEAL_ZERO + whole[at + 64 :]
    for cut in range(len(text) + 1):
        for second in range(cut, len(text) + 1, 9):
            out = io.BytesIO()
            got = _write_zeroed([text[:cut], text[cut:second], text[second:]], out, MARKER, "t")
            assert out.getvalue() == want and got["at"] == at and got["size"] == len(want)
    for bad in ([text, MARKER], ["no seal here"], [MARKER[:40], MARKER[40:] + MARKER]):
        with pytest.raises(RuntimeError, match="not unique"):
            _write_zeroed(bad, io.BytesIO(), MARKER, "t")


def test_the_fast_indenting_writes_what_json_writes() -> None:
    """``indented`` against ``json.dumps(indent=1)`` on random values of the kinds the graph
    holds, every awkward character included; a kind it does not know is left to json."""
    import random

    from unshared.report.jsonld import indented

    rng = random.Random(7)
    chars = 'ab"\\/\n\r\t\x00\x1f\x7f é€😀\u2028\u2029\ufeff<>&'

    def value(depth: int) -> object:
        pick = rng.randrange(9 if depth < 4 else 5)
        if pick == 0:
            return "".join(rng.choice(chars) for _ in range(rng.randrange(6)))
        if pick == 1:
            return rng.choice([0, -1, 2**70, -(2**40), 123456789])
        if pick == 2:
            return rng.choice([True, False, None])
        if pick in (3, 4):
            return "kb:" + str(rng.random())
        if pick in (5, 6):
            return {
                "".join(rng.choice(chars) for _ in range(rng.randrange(4))): value(depth + 1)
                for _ in range(rng.randrange(4))
            }
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(2000):
        v = value(0)
        assert indented(v, "  ") == json.dumps(v, ensure_ascii=False, indent=1).replace(
            "\n", "\n  "
        )
    for other in (1.5, (1, 2), {1: "a"}, {"a": [0.5]}):
        with pytest.raises(TypeError):
            indented(other)


def test_node_ids_are_the_uuid5_of_their_key() -> None:
    import random
    import uuid

    from unshared.report.jsonld import _Ids

    rng = random.Random(3)
    ids = _Ids("a" * 64)
    ns = uuid.uuid5(uuid.NAMESPACE_URL, "urn:unshared:case:" + "a" * 64)
    for _ in range(3000):
        key: list[object] = [
            "".join(rng.choice("ab1\x1f é😀\u2028") for _ in range(rng.randrange(9)))
        ]
        key += [rng.randrange(-5, 10**6)] * rng.randrange(3)
        want = uuid.uuid5(ns, "\x1f".join(str(k) for k in ("message", *key)))
        assert ids("message", *key) == f"kb:message-{want}"
