"""Platform report drafts: the text and identifiers each platform's report form asks for.

What each platform asks (where to report, which category, which identifier it needs) lives in
data files, ``templates/platforms/<platform>.yaml``; the text comes from one template,
``templates/platforms/draft.txt.j2``. Pure apart from reading those packaged files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import jinja2
import yaml

from unshared.errors import UnsharedError
from unshared.report.model import (
    PLATFORMS,
    DemandRow,
    MessageRow,
    ReportModel,
    normalise_platform,
)

__all__ = ["PlatformInfo", "platform_info", "platform_draft", "platforms_in", "MAX_MESSAGES"]

MAX_MESSAGES = 12
_FIELDS = ("platform", "name", "where", "category", "category_minor", "account_label")


@dataclass(frozen=True)
class PlatformInfo:
    platform: str
    name: str
    where: str
    category: str
    category_minor: str
    account_label: str
    handle_prefix: str = ""
    extra_kinds: tuple[str, ...] = ()


@cache
def platform_info(platform: str) -> PlatformInfo:
    """What ``platform``'s report form asks for, read from its data file."""
    key = normalise_platform(platform)
    if key is None:
        raise UnsharedError(
            f"no report form is known for '{platform}'; choose one of: {', '.join(PLATFORMS)}"
        )
    text = (
        resources.files("unshared.report") / "templates" / "platforms" / f"{key}.yaml"
    ).read_text("utf-8")
    data = yaml.safe_load(text)
    missing = [f for f in _FIELDS if not data.get(f)]
    if missing:
        raise UnsharedError(f"platform file {key}.yaml lacks {', '.join(missing)}")
    fields = {k: str(data[k]) for k in (*_FIELDS, "handle_prefix") if k in data}
    return PlatformInfo(**fields, extra_kinds=tuple(str(k) for k in data.get("extra_kinds") or ()))


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("unshared.report", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["shorten"] = _shorten
    return env.get_template("platforms/draft.txt.j2")


def _shorten(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def platforms_in(model: ReportModel) -> list[str]:
    """Every platform the case shows (messages, accounts, identifiers, the guide's answers)."""
    return list(model.platforms)


def _messages(model: ReportModel, platform: str) -> list[MessageRow]:
    mine = [r for r in model.messages if normalise_platform(r.platform) == platform]
    key = [r for r in mine if r.key]
    others = [r for r in mine if not r.key and r.side != "victim"]
    return (key + others)[:MAX_MESSAGES]


def _demand_text(d: DemandRow) -> str:
    what = d.amount or "money"
    return f"{what} by {d.method.replace('_', ' ')}" if d.method else what


def _story(model: ReportModel, platform: str, p: PlatformInfo) -> str:
    parts: list[str] = []
    who = "I am under 18. " if model.minor else ""
    parts.append(
        f"{who}This account is blackmailing me: it threatens to share intimate images of me "
        "unless I pay (sextortion, non-consensual intimate imagery)."
    )
    if model.first_time:
        parts.append(f"It contacted me on {model.first_time}.")
    if model.first_threat:
        parts.append(f"The first threat was on {model.first_threat}.")
    if model.demands:
        demanded = "; ".join(dict.fromkeys(_demand_text(d) for d in model.demands))
        parts.append(f"It demanded {demanded}.")
    others = [n for n in model.platforms if n != platform]
    if others:
        parts.append(
            "The same person also used " + ", ".join(platform_info(o).name for o in others) + "."
        )
    if model.crime_refs:
        parts.append(f"I have reported it to the police (reference {', '.join(model.crime_refs)}).")
    parts.append(
        "I have kept the evidence. Please remove the account and stop the images being shared."
    )
    return _wrap(" ".join(parts))


def _wrap(text: str, width: int = 96) -> str:
    import textwrap

    return textwrap.fill(text, width=width)


def platform_draft(model: ReportModel, platform: str) -> str:
    """The draft report for one platform, ready to paste."""
    info = platform_info(platform)
    key = info.platform
    accounts = [a for a in model.platform_accounts(key) if a.side != "victim"]
    return _template().render(
        p=info,
        m=model,
        accounts=accounts,
        identifiers=[
            i for i in model.identifiers if i.platform == key or i.kind in info.extra_kinds
        ],
        messages=_messages(model, key),
        story=_story(model, key, info),
    )
