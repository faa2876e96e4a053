"""Renderers: the report model as one self-contained HTML file, and that HTML as a PDF."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from unshared.report.model import STAGE_LABELS, ReportModel

__all__ = ["render_html", "render_pdf", "PLATFORM_NAMES", "platform_name"]

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
    return env


def _css() -> str:
    return (resources.files("unshared.report") / "templates" / "report.css").read_text("utf-8")


def render_html(model: ReportModel) -> str:
    """The report as one HTML document: inline CSS and SVG, no external asset, no script."""
    template = _env().get_template("report.html.j2")
    return template.render(m=model, css=_css(), stage_labels=STAGE_LABELS, side_labels=SIDE_LABELS)


def render_pdf(html: str, out: Path) -> None:
    """Lay the HTML out as an A4 PDF with WeasyPrint; nothing is fetched from the network."""
    import weasyprint  # heavy import, only when a PDF is asked for

    def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
        raise ValueError(f"the report must not load external resources ({url})")

    weasyprint.HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf(str(out))
