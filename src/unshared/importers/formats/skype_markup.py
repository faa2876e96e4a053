"""Skype message content markup turned into readable text.

Skype stores message bodies as an XML-like fragment: ``<ss>`` emoticons, ``<at>`` mentions,
``<a href>`` links, ``<quote>`` replies, ``<e_m>`` edit markers, ``<URIObject>`` media,
``<partlist>`` calls, ``<contacts>``, ``<location>`` and thread events (``<addmember>``,
``<deletemember>``, ``<topicupdate>``, ...). The markup is read with the lenient stdlib
:mod:`html.parser` (never raises on broken markup) into a small tree and rendered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unshared.importers.readers.htmltree import Node, parse_html
from unshared.model import Attachment

__all__ = ["Rendered", "render"]


@dataclass
class Rendered:
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    reply_to: str | None = None
    system: bool = False
    events: list[tuple[str, int | None]] = field(default_factory=list)
    """Each thread event or call in the markup: (its text, its ``eventtime`` in ms). Skype batches
    several (three members added at once) into one record; each is its own event."""


_URI_KINDS = {
    "picture": "photo",
    "video": "video",
    "audio": "audio",
    "file": "file",
    "swift": "other",
    "sticker": "sticker",
}


def _name(identity: str) -> str:
    return identity.split(":", 1)[1] if identity[:2] in ("8:", "4:", "2:") else identity


def _duration(seconds: str) -> str:
    try:
        total = round(float(seconds))
    except ValueError:
        return ""
    minutes, secs = divmod(total, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


class _Renderer:
    def __init__(self, names: dict[str, str]) -> None:
        self.out = Rendered("")
        self.names = names

    def who(self, identity: str) -> str:
        """Display name for a Skype id when the export named it, else the id without "8:"."""
        identity = identity.strip()
        return self.names.get(identity) or self.names.get("8:" + identity) or _name(identity)

    def node(self, node: Node | str) -> str:
        if isinstance(node, str):
            return node
        tag = node.tag
        handler = getattr(self, "tag_" + tag.replace("-", "_").replace(":", "_"), None)
        if handler is not None:
            return str(handler(node))
        return self.children(node)

    def children(self, node: Node) -> str:
        return "".join(self.node(c) for c in node.children)

    # -- inline ---------------------------------------------------------------------------
    def tag_a(self, node: Node) -> str:
        inner = self.children(node)
        href = node.attrs.get("href", "")
        if href and href.strip() != inner.strip():
            return f"{inner} ({href})" if inner.strip() else href
        return inner

    def tag_at(self, node: Node) -> str:
        inner = self.children(node).strip() or self.who(node.attrs.get("id", ""))
        return inner if inner.startswith("@") else "@" + inner

    def tag_e_m(self, node: Node) -> str:
        self.out.flags.add("edited")
        return ""

    def tag_legacyquote(self, node: Node) -> str:
        return ""

    def tag_quote(self, node: Node) -> str:
        author = node.attrs.get("authorname") or self.who(node.attrs.get("author", ""))
        self.out.reply_to = node.attrs.get("messageid") or self.out.reply_to
        body = self.children(node).strip()
        lines = body.splitlines() or [""]
        head = f"> {author}: {lines[0]}" if author else f"> {lines[0]}"
        return "\n".join([head, *(f"> {ln}" for ln in lines[1:])]) + "\n"

    # -- media and objects ----------------------------------------------------------------
    def tag_uriobject(self, node: Node) -> str:
        kind_attr = node.attrs.get("type", "").split(".", 1)[0].lower()
        kind = _URI_KINDS.get(kind_attr, "file")
        original = node.find("originalname")
        meta = node.find("meta")
        name = (original.attrs.get("v") if original else None) or (
            meta.attrs.get("originalname") if meta else None
        )
        size_node = node.find("filesize")
        size: int | None = None
        if size_node is not None and size_node.attrs.get("v", "").isdigit():
            size = int(size_node.attrs["v"])
        uri = node.attrs.get("uri") or None
        self.out.attachments.append(Attachment(kind=kind, name=name, uri=uri, size=size))
        title = node.find("title")
        label = f"[{kind}: {name}]" if name else f"[{kind}]"
        if title is not None and title.text().strip():
            label += " " + title.text().strip()
        return label

    def tag_partlist(self, node: Node) -> str:
        self.out.system = True
        state = node.attrs.get("type", "")
        names: list[str] = []
        duration = ""
        for part in node.children:
            if isinstance(part, Node) and part.tag == "part":
                name_node = part.find("name")
                names.append(
                    name_node.text().strip()
                    if name_node
                    else self.who(part.attrs.get("identity", ""))
                )
                dur = part.find("duration")
                if dur is not None and not duration:
                    duration = _duration(dur.text().strip())
        verb = {"started": "Call started", "ended": "Call ended", "missed": "Missed call"}.get(
            state, "Call"
        )
        text = verb + (f" ({duration})" if duration else "")
        text += ": " + ", ".join(n for n in names if n) if any(names) else ""
        self.out.events.append((text, None))
        return text

    def tag_contacts(self, node: Node) -> str:
        shown: list[str] = []
        for c in node.children:
            if isinstance(c, Node) and c.tag == "c":
                ident = c.attrs.get("s", "")
                name = c.attrs.get("f", "")
                self.out.attachments.append(Attachment(kind="contact", name=name or ident))
                shown.append(f"{name} ({ident})" if name and ident else name or ident)
        return "[contact: " + ", ".join(shown) + "]"

    def tag_location(self, node: Node) -> str:
        address = node.attrs.get("address") or node.text().strip()
        link = node.find("a")
        uri = link.attrs.get("href") if link is not None else None
        self.out.attachments.append(Attachment(kind="location", name=address or None, uri=uri))
        return f"[location: {address}]" if address else "[location]"

    # -- thread events --------------------------------------------------------------------
    def _event(self, node: Node, verb: str) -> str:
        self.out.system = True
        initiator = node.find("initiator")
        who = self.who(initiator.text()) if initiator else ""
        targets = [
            self.who(c.text())
            for c in node.children
            if isinstance(c, Node) and c.tag in ("target", "detailedtargetinfo")
        ]
        value = node.find("value")
        tail = ", ".join(t for t in targets if t)
        if value is not None and not tail:
            tail = value.text().strip()
        text = " ".join(x for x in (who, verb, tail) if x)
        stamp = node.find("eventtime")
        millis = stamp.text().strip() if stamp is not None else ""
        self.out.events.append((text, int(millis) if millis.isdigit() else None))
        return text

    def tag_addmember(self, node: Node) -> str:
        return self._event(node, "added")

    def tag_deletemember(self, node: Node) -> str:
        return self._event(node, "removed")

    def tag_topicupdate(self, node: Node) -> str:
        return self._event(node, "changed the topic to")

    def tag_pictureupdate(self, node: Node) -> str:
        self._event(node, "")
        initiator = node.find("initiator")
        text = f"{self.who(initiator.text()) if initiator else 'Someone'} changed the picture"
        self.out.events[-1] = (text, self.out.events[-1][1])
        return text

    def tag_historydisclosedupdate(self, node: Node) -> str:
        return self._event(node, "changed history visibility to")

    def tag_joiningenabledupdate(self, node: Node) -> str:
        return self._event(node, "changed joining by link to")

    def tag_roleupdate(self, node: Node) -> str:
        return self._event(node, "changed a role")


def render(content: str, names: dict[str, str] | None = None) -> Rendered:
    """Readable text, attachments and flags from one message's content markup."""
    try:
        root = parse_html(content)
    except (AssertionError, ValueError):  # very old html.parser versions on odd markup
        return Rendered(content)
    renderer = _Renderer(names or {})
    text = renderer.children(root)
    renderer.out.text = text.strip()
    return renderer.out
