"""Renderers: the report model as one self-contained HTML file, and that HTML as a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from unshared.report.model import STAGE_LABELS, MessageRow, ReportModel

__all__ = ["render_html", "stream_html", "render_pdf", "PLATFORM_NAMES", "platform_name"]

PLATFORM_NAMES = {
    "instagram": "Instagram",
    "facebook": "Facebook / Messenger",
    "snapchat": "Snapchat",
    "skype": "Skype",
    "tiktok": "TikTok",
    "discord": "Discord",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "x": "X (Twitter)",
    "youtube": "YouTube",
    "text": "pasted text",
}
CHUNK = 40
"""Messages per preformatted block in the compact layout: WeasyPrint re-shapes the rest of a
block at every line break, so one huge block is quadratic; small blocks keep it linear
(docs/benchmarks/report.md)."""
PIECE = 1 << 20
"""Characters :func:`stream_html` gathers before it hands a piece on."""
PDF_TEXT_LIMIT = 4000
"""Characters of one message shown in the PDF. A longer message (an 11 MB line took WeasyPrint
past 16 minutes) is cut there, visibly, with the count of what is left out; report.html and
case.jsonld always keep the whole text."""
SIDE_LABELS = {"victim": "person reporting", "other": "other party", "unknown": "not known"}


def platform_name(name: str) -> str:
    return PLATFORM_NAMES.get(name, name)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("unshared.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["platform_name"] = platform_name
    env.filters["pdf_fold"] = pdf_fold
    env.filters["stage_label"] = lambda s: STAGE_LABELS.get(s, s)
    return env


def _css() -> str:
    return (resources.files("unshared.report") / "templates" / "report.css").read_text("utf-8")


def render_html(model: ReportModel, *, compact: bool = False, seal: str | None = None) -> str:
    """The report as one HTML document: inline CSS and SVG, no external asset, no script.

    ``compact`` lays the whole conversation out as one preformatted flow (the exhibit's SHA-256
    once where its messages begin, then E-number and locator per message): the layout used for
    the PDF, because WeasyPrint is many times faster on it than on one block per message.
    ``seal`` is the hash of the ``report_made`` event that records this report (see
    :mod:`unshared.report.pack`); it is printed once.
    """
    return _env().get_template("report.html.j2").render(_context(model, compact, seal))


def stream_html(
    model: ReportModel, *, compact: bool = False, seal: str | None = None
) -> Iterator[str]:
    """The text of :func:`render_html`, in pieces of about :data:`PIECE` characters, made as they
    are written: the whole document is never held in memory (a 200,000-message report is
    60 MB of HTML)."""
    held: list[str] = []
    size = 0
    for part in _env().get_template("report.html.j2").generate(_context(model, compact, seal)):
        held.append(part)
        size += len(part)
        if size >= PIECE:
            yield "".join(held)
            held, size = [], 0
    if held:
        yield "".join(held)


def _context(model: ReportModel, compact: bool, seal: str | None) -> dict[str, Any]:
    return {
        "m": model,
        "css": _css(),
        "stage_labels": STAGE_LABELS,
        "side_labels": SIDE_LABELS,
        "compact": compact,
        "chunk_size": CHUNK,
        "conv_runs": _runs(model.messages) if compact else [],
        "conv_line": conv_line,
        "seal": seal,
    }


def _runs(rows: tuple[MessageRow, ...]) -> list[list[MessageRow]]:
    """Consecutive messages from the same exhibit (the exhibit's SHA-256 heads each run)."""
    runs: list[list[MessageRow]] = []
    for r in rows:
        if runs and runs[-1][-1].exhibit_sha256 == r.exhibit_sha256:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def pdf_fold(text: str, compact: bool = True) -> str:
    """``text`` as the PDF shows it: whole up to :data:`PDF_TEXT_LIMIT` characters, else cut there
    with a note saying how much is left out and where the whole text is."""
    if not compact or len(text) <= PDF_TEXT_LIMIT:
        return text
    rest = len(text) - PDF_TEXT_LIMIT
    return (
        f"{text[:PDF_TEXT_LIMIT]} … [the message continues: {rest:,} more characters are not "
        "shown in the PDF; the whole text is in report.html and case.jsonld]"
    )


def conv_line(r: MessageRow) -> str:
    """One message as one plain line of the compact conversation (escaped by the template)."""
    flag = "▶ " if r.key else ""
    zone = " (zone assumed)" if r.time_assumed else ""
    sender = f"{r.sender} [{r.sender_id}]" if r.sender_id else r.sender
    attachments = "".join(f" (attachment: {a})" for a in r.attachments)
    where = f"E{r.exhibit_no} {r.locator}"
    if r.message_id:
        where += f", id {r.message_id}"
    if r.stages:
        where += "; " + ", ".join(STAGE_LABELS.get(s, s) for s in r.stages)
    text = pdf_fold(r.text)
    return f"{flag}{r.number}. {r.time}{zone} · {sender}: {text}{attachments}  [{where}]"


def render_pdf(html: str, out: Path | None = None) -> bytes:
    """Lay the HTML (best made with ``render_html(model, compact=True)``) out as an A4 PDF.

    Returns the PDF's bytes, and writes them to ``out`` when given.
    """
    # Nothing is fetched from the network: any URL in the document is refused.
    import weasyprint  # heavy import, only when a PDF is asked for
    from PIL import ImageFile

    # Importing WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process. Reports hold
    # no images, and elsewhere a cut-off screenshot or photo must be an error, not a half-grey
    # picture quietly read or fingerprinted: put Pillow's default back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
        raise ValueError(f"the report must not load external resources ({url})")

    data: bytes = weasyprint.HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf()
    if out is not None:
        Path(out).write_bytes(data)
    return data
