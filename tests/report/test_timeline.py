"""The timeline chart: counts per bucket, threat and demand marks, valid SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from unshared.report.timeline import MAX_BARS, build_timeline

T = frozenset({"threat"})
D = frozenset({"payment_demand"})
SVG = "{http://www.w3.org/2000/svg}"


def test_hourly_counts_and_marks() -> None:
    t0 = datetime(2024, 5, 1, 20, 5, tzinfo=UTC)
    points = [
        (t0, ()),
        (t0 + timedelta(minutes=10), ("threat",)),
        (t0 + timedelta(hours=2), ("payment_demand",)),
        (t0 + timedelta(hours=2, minutes=1), ()),
    ]
    tl = build_timeline(points, threat_stages=T, demand_stages=D)
    assert tl.bucket == "hour"
    assert tl.counts == (2, 0, 2)
    assert tl.start == datetime(2024, 5, 1, 20, tzinfo=UTC)
    assert len(tl.threats) == 1 and len(tl.demands) == 1
    root = ET.fromstring(tl.svg)
    assert root.tag == SVG + "svg"
    assert len(root.findall(f"{SVG}rect")) == 2  # two non-empty bars
    titles = [e.text for e in root.iter(SVG + "title")]
    assert "threat 2024-05-01 20:15" in titles and "demand 2024-05-01 22:05" in titles


def test_long_cases_use_wider_buckets() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    points = [(t0 + timedelta(hours=h), ()) for h in range(0, 24 * 60, 5)]
    tl = build_timeline(points, threat_stages=T, demand_stages=D)
    assert tl.bucket != "hour" and len(tl.counts) <= MAX_BARS
    assert sum(tl.counts) == len(points)


def test_no_times() -> None:
    tl = build_timeline([], threat_stages=T, demand_stages=D)
    assert tl.counts == () and "no timeline" in tl.svg
    ET.fromstring(tl.svg)
