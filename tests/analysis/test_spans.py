"""One very long message (issue 22: an 11 MB line took 95 s to scan): overlaps between findings
are settled by position, so each finding reads the few spans near it, not every one so far."""

from __future__ import annotations

from unshared.analysis.identifiers import extract_identifiers
from unshared.analysis.spans import Spans


class _Counted(list):  # type: ignore[type-arg]
    reads = 0

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        _Counted.reads += 1
        return super().__getitem__(i)


def test_a_lookup_reads_only_the_spans_near_it() -> None:
    spans: Spans[int] = Spans()
    spans._items = _Counted()
    for n in range(20_000):
        spans.add(n * 10, n * 10 + 6, n)
    _Counted.reads = 0
    assert spans.clashes(100_005, 100_008)
    assert not spans.clashes(100_006, 100_010)
    assert [s[2] for s in spans.overlapping(99_995, 100_012)] == [10_001, 10_000, 9_999]
    assert _Counted.reads < 20


def test_a_long_message_finds_what_its_lines_find() -> None:
    line = (
        "pay 500 by western union to bob@example.com or see https://x.com/abc, "
        "skype live:.cid.12ab34cd, call 07700 900123 now [video] "
    )
    text = line * 3000
    found = extract_identifiers(text)
    one = extract_identifiers(line)
    assert len(found) == 3000 * len(one)
    for n, ident in enumerate(found):
        twin = one[n % len(one)]
        assert (ident.kind, ident.value) == (twin.kind, twin.value)
        assert ident.start == twin.start + (n // len(one)) * len(line)
