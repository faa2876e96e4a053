"""The timeline chart: messages per hour (or wider buckets for long cases) as inline SVG.

Pure: takes times and stages, returns numbers and an SVG string. No plotting library, so the
chart prints the same everywhere and the report stays one self-contained file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

__all__ = ["Timeline", "build_timeline", "BUCKETS"]

# Widest bucket first is never needed: pick the narrowest that keeps the chart readable.
BUCKETS: tuple[tuple[timedelta, str], ...] = (
    (timedelta(hours=1), "hour"),
    (timedelta(hours=3), "3 hours"),
    (timedelta(hours=6), "6 hours"),
    (timedelta(hours=12), "12 hours"),
    (timedelta(days=1), "day"),
    (timedelta(days=7), "week"),
    (timedelta(days=30), "30 days"),
)
MAX_BARS = 240
WIDTH, HEIGHT = 900, 230
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 30, 40


@dataclass(frozen=True)
class Timeline:
    start: datetime | None
    bucket: str
    counts: tuple[int, ...]
    threats: tuple[datetime, ...]
    demands: tuple[datetime, ...]
    svg: str

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


def _floor(t: datetime, step: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((t - epoch) // step) * step


def build_timeline(
    points: Iterable[tuple[datetime, Sequence[str]]],
    *,
    threat_stages: frozenset[str],
    demand_stages: frozenset[str],
) -> Timeline:
    """Count messages per bucket and mark every threat and demand at its time."""
    times: list[datetime] = []
    threats: list[datetime] = []
    demands: list[datetime] = []
    for when, stages in points:
        t = when.astimezone(UTC)
        times.append(t)
        if threat_stages.intersection(stages):
            threats.append(t)
        if demand_stages.intersection(stages):
            demands.append(t)
    if not times:
        return Timeline(None, "hour", (), (), (), _empty_svg())
    first, last = min(times), max(times)
    step, label = BUCKETS[-1]
    for candidate, name in BUCKETS:
        if (last - _floor(first, candidate)) // candidate + 1 <= MAX_BARS:
            step, label = candidate, name
            break
    start = _floor(first, step)
    n = int((last - start) // step) + 1
    counts = [0] * n
    for t in times:
        counts[int((t - start) // step)] += 1
    svg = _svg(start, step, label, counts, threats, demands)
    return Timeline(start, label, tuple(counts), tuple(threats), tuple(demands), svg)


def _empty_svg() -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="60" '
        'role="img" aria-label="No message times to chart">'
        '<text x="10" y="35" font-size="13" font-family="sans-serif">'
        "No message in this case has a time, so there is no timeline.</text></svg>"
    )


def _svg(
    start: datetime,
    step: timedelta,
    label: str,
    counts: list[int],
    threats: list[datetime],
    demands: list[datetime],
) -> str:
    n = len(counts)
    peak = max(counts) or 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bar_w = plot_w / n
    span = step * n

    def x_of(t: datetime) -> float:
        return LEFT + plot_w * ((t - start) / span)

    desc = (
        f"Messages per {label} from {start:%Y-%m-%d %H:%M} UTC; "
        f"{len(threats)} threats (red) and {len(demands)} demands (orange) marked."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(desc)}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(desc)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#444" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#444" '
        'stroke-width="1"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
        f'<text x="{LEFT}" y="{TOP - 14}">messages per {escape(label)} (UTC)</text>',
    ]
    for i, c in enumerate(counts):
        if not c:
            continue
        h = plot_h * c / peak
        out.append(
            f'<rect x="{LEFT + i * bar_w:.2f}" y="{TOP + plot_h - h:.2f}" '
            f'width="{max(bar_w - 0.5, 0.6):.2f}" height="{h:.2f}" fill="#7a8fa6"/>'
        )
    for t in demands:
        x = x_of(t)
        y = TOP - 4
        out.append(
            f'<path d="M{x:.2f} {y - 5:.2f} L{x + 4:.2f} {y:.2f} L{x:.2f} {y + 5:.2f} '
            f'L{x - 4:.2f} {y:.2f} Z" fill="#d9822b"><title>demand {t:%Y-%m-%d %H:%M}</title>'
            "</path>"
        )
    for t in threats:
        x = x_of(t)
        out.append(
            f'<line x1="{x:.2f}" y1="{TOP}" x2="{x:.2f}" y2="{TOP + plot_h}" stroke="#c0392b" '
            f'stroke-width="1" stroke-opacity="0.55"><title>threat {t:%Y-%m-%d %H:%M}</title>'
            "</line>"
        )
    ticks = min(6, n)
    for k in range(ticks + 1):
        t = start + span * (k / ticks)
        x = x_of(t)
        anchor = "start" if k == 0 else ("end" if k == ticks else "middle")
        out.append(
            f'<text x="{x:.2f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}">'
            f"{t:%Y-%m-%d}</text>"
            f'<text x="{x:.2f}" y="{TOP + plot_h + 29}" text-anchor="{anchor}">{t:%H:%M}</text>'
        )
    out.append(
        f'<g transform="translate({WIDTH - 260},{TOP - 22})">'
        '<rect x="0" y="0" width="10" height="10" fill="#7a8fa6"/>'
        '<text x="14" y="9">messages</text>'
        '<line x1="84" y1="0" x2="84" y2="10" stroke="#c0392b" stroke-width="2"/>'
        '<text x="90" y="9">threat</text>'
        '<path d="M150 0 L154 5 L150 10 L146 5 Z" fill="#d9822b"/>'
        '<text x="158" y="9">demand</text></g>'
    )
    out.append("</svg>")
    return "".join(out)
