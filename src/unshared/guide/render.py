"""Plain text for a plan (``unshared guide --format text``). Pure: returns a string.

The plan a person reads has no step ids and no source links; ``sources=True`` adds a footer with
where each piece of advice comes from (and the step ids, for ``--done``).
"""

from __future__ import annotations

from unshared.guide.model import Contact, Plan

__all__ = ["contact_line", "plan_text", "sources_text"]


def contact_line(contact: Contact) -> str:
    parts = [contact.name]
    if contact.phone and contact.text:
        parts.append(f"{contact.phone} or {contact.text[0].lower()}{contact.text[1:]}")
    elif contact.phone or contact.text:
        parts.append(contact.phone or contact.text or "")
    if contact.hours:
        parts.append(f"({contact.hours})")
    if contact.url:
        parts.append(contact.url)
    return " - ".join([parts[0], " ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def sources_text(plan: Plan) -> str:
    """The footer: each step's id and sources, then each contact's source and checked date."""
    lines = ["Where this advice comes from", ""]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"{number}. {step.title}   (step id: {step.id})")
        lines.extend(f"   advice: {s.url} (checked {s.checked})" for s in step.sources)
        for contact in step.contacts:
            lines.append(f"   {contact.name}: {contact.source} (checked {contact.checked})")
    return "\n".join(lines) + "\n"


def plan_text(plan: Plan, *, done: frozenset[str] = frozenset(), sources: bool = False) -> str:
    """The plan as numbered steps. Steps in ``done`` are ticked; ``sources`` adds the footer."""
    lines = ["Your plan. Take it one step at a time.", ""]
    for number, step in enumerate(plan.steps, 1):
        mark = "[done] " if step.id in done else ""
        lines.append(f"{number}. {mark}{step.title}")
        lines.append(f"   {step.why}")
        lines.extend(f"   - {action}" for action in step.actions)
        if step.contacts:
            lines.append("   Who can help:")
            lines.extend(f"   * {contact_line(contact)}" for contact in step.contacts)
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    if sources:
        text += "\n" + sources_text(plan)
    return text
