"""The "Sources" tables of docs/guide.md, made from the data (a test checks the docs match).

To refresh the docs after editing the YAML: ``PYTHONPATH=src python tests/guide/_docs.py``
prints the section to paste in place of the old one.
"""

from __future__ import annotations

from unshared.guide.content import GuideData
from unshared.guide.model import Contact, Source

__all__ = ["sources_section"]


def _verified(item: Contact | Source) -> str:
    if item.verified:
        return "yes"
    return f"no: {item.note}" if item.note else "no (dated article)"


def _reach(contact: Contact) -> str:
    return " / ".join(p for p in (contact.phone, contact.text) if p)


def sources_section(data: GuideData) -> str:
    """Every service, platform, payment contact and step source, with its checked date."""
    lines = [
        "## Sources",
        "",
        "### Contacts and services",
        "",
        "| Service | Number or text | Hours | Source | Checked | Verified (official page) |",
        "|---|---|---|---|---|---|",
    ]
    for c in data.services.values():
        lines.append(
            f"| {c.name} | {_reach(c)} | {c.hours or ''} | <{c.source}> | {c.checked} "
            f"| {_verified(c)} |"
        )
    lines += [
        "",
        "### Platforms",
        "",
        "| Platform | Help link | Source | Checked | Verified (official page) |",
        "|---|---|---|---|---|",
    ]
    for p in data.platforms.values():
        h = p.help
        lines.append(f"| {p.name} | <{h.url}> | <{h.source}> | {h.checked} | {_verified(h)} |")
    lines += [
        "",
        "### Payments",
        "",
        "| Way of paying | Contact | Source | Checked | Verified (official page) |",
        "|---|---|---|---|---|",
    ]
    for pay in data.payments.values():
        for c, only in pay.contacts:
            where = f" ({', '.join(only)} only)" if only else ""
            lines.append(
                f"| {pay.name} | {c.name}{where} {_reach(c)} | <{c.source}> | {c.checked} "
                f"| {_verified(c)} |"
            )
    lines += ["", "### Step wording", "", "| Step | Sources (checked) |", "|---|---|"]
    for step in data.steps.values():
        cited = "; ".join(
            f"<{s.url}> ({s.checked}{'' if s.verified else ', not official: ' + (s.note or '')})"
            for s in step.sources
        )
        lines.append(f"| {step.id} | {cited} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from unshared.guide.loader import load_guide

    print(sources_section(load_guide()), end="")
