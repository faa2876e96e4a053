"""Plain text for a plan (``unshared guide --format text``). Pure: returns a string."""

from __future__ import annotations

from unshared.guide.model import Contact, Plan

__all__ = ["contact_line", "plan_text"]


def contact_line(contact: Contact) -> str:
    parts = [contact.name]
    if contact.phone:
        parts.append(contact.phone)
    if contact.hours:
        parts.append(f"({contact.hours})")
    if contact.url:
        parts.append(contact.url)
    return " - ".join([parts[0], " ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def plan_text(plan: Plan, *, done: frozenset[str] = frozenset(), sources: bool = True) -> str:
    """The plan as numbered steps. Steps in ``done`` are ticked."""
    lines = ["Your plan. Take it one step at a time.", ""]
    for number, step in enumerate(plan.steps, 1):
        mark = "[done] " if step.id in done else ""
        lines.append(f"{number}. {mark}{step.title}   (step id: {step.id})")
        lines.append(f"   {step.why}")
        lines.extend(f"   - {action}" for action in step.actions)
        if step.contacts:
            lines.append("   Who can help:")
            for contact in step.contacts:
                lines.append(f"   * {contact_line(contact)}")
                if sources:
                    lines.append(f"     source: {contact.source} (checked {contact.checked})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
