"""The case as CASE/UCO JSON-LD (https://caseontology.org), for forensic tools and exchange.

What is written: the tool, the investigation, one provenance record and acquisition action per
exhibit (a ``File`` with its SHA-256), the messages (``Message`` + ``MessageFacet``) linked to the
exhibit they were read from, the accounts and the other party's identifiers (``ApplicationAccount``,
``PhoneAccount``, ``EmailAddress``, ``URL``, financial references), fingerprints of intimate
media as hashes only, and the actions taken. Node ids are UUIDv5 derived from the case's first
log hash, so writing the same case twice gives the same graph. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

from unshared.report.model import KIND_LABELS, ReportModel

__all__ = ["build_jsonld", "stream_jsonld", "CONTEXT"]

CONTEXT = {
    "kb": "http://example.org/kb/",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_quote = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes a str as
_APP_ACCOUNT_KINDS = {
    "skype_id": "skype",
    "instagram_handle": "instagram",
    "snapchat_handle": "snapchat",
    "tiktok_handle": "tiktok",
    "telegram_handle": "telegram",
    "telegram_id": "telegram",
    "discord_user": "discord",
}
_ACCOUNT_KINDS = frozenset(
    {"btc_address", "eth_address", "tron_address", "iban", "uk_bank_account", "cashtag", "paypal"}
)


def _time(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def _hash(node: str, method: str, value: str) -> dict[str, Any]:
    return {
        "@id": node,
        "@type": "uco-types:Hash",
        "uco-types:hashMethod": method,
        "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value},
    }


class _Ids:
    """Stable ``kb:`` node ids: UUIDv5 of a readable key within the case's own namespace."""

    def __init__(self, case_key: str) -> None:
        self._ns = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:unshared:case:{case_key}")
        self._sha1 = hashlib.sha1(self._ns.bytes, usedforsecurity=False)

    def __call__(self, kind: str, *key: object) -> str:
        """``kb:KIND-`` and ``uuid.uuid5(namespace, key)``, made without the UUID object (a
        200,000-message graph asks for 600,000 of them)."""
        material = "\x1f".join(str(k) for k in (kind, *key))
        sha1 = self._sha1.copy()
        sha1.update(material.encode("utf-8"))
        d = bytearray(sha1.digest()[:16])
        d[6] = (d[6] & 0x0F) | 0x50  # version 5
        d[8] = (d[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = d.hex()
        return f"kb:{kind}-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def build_jsonld(model: ReportModel, *, seal: str | None = None) -> dict[str, Any]:
    """The JSON-LD document (a dict ready for ``json.dump``); ``seal`` as in the HTML report."""
    return {"@context": CONTEXT, "@graph": list(_graph(model, seal))}


def stream_jsonld(model: ReportModel, *, seal: str | None = None) -> Iterator[str]:
    """``json.dumps(build_jsonld(model, seal=seal), ensure_ascii=False, indent=1)``, written one
    node at a time: the graph is never held in memory (its ``json.dumps`` alone took 2.5 GB for
    200,000 messages)."""
    head = json.dumps({"@context": CONTEXT}, ensure_ascii=False, indent=1)
    yield head.removesuffix("\n}") + ',\n "@graph": ['
    sep = "\n  "
    for node in _graph(model, seal):
        try:
            text = indented(node, "  ")
        except TypeError:
            text = json.dumps(node, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        yield sep + text
        sep = ",\n  "
    yield "]\n}" if sep == "\n  " else "\n ]\n}"


def indented(value: Any, pad: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` with every line after the first
    indented by ``pad``, for the plain values the graph holds (str keys; str, int, bool, None,
    dict, list), faster than :mod:`json`'s own indenting encoder, which is pure Python.
    :class:`TypeError` for anything else (a float, a tuple), which :mod:`json` then writes."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + " "
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(key)
            items.append(f"{inner}{_quote(key)}: {indented(item, inner)}")
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = pad + " "
        return "[\n" + ",\n".join([inner + indented(x, inner) for x in value]) + "\n" + pad + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    raise TypeError(kind)


def _graph(m: ReportModel, seal: str | None = None) -> Iterator[dict[str, Any]]:
    ids = _Ids(m.case_key or m.case_name)
    tool = ids("tool", "unshared", m.tool_version)
    yield {
        "@id": tool,
        "@type": "uco-tool:Tool",
        "uco-core:name": "unshared",
        "uco-tool:version": m.tool_version,
        "uco-tool:toolType": "evidence preservation and reporting",
    }

    # Exhibits: the files as added, each with a provenance record and its acquisition.
    files: dict[str, str] = {}
    records: list[str] = []
    for e in m.exhibits:
        node = ids("file", e.sha256)
        files[e.sha256] = node
        yield {
            "@id": node,
            "@type": "uco-observable:File",
            "uco-core:hasFacet": [
                {
                    "@id": ids("file-facet", e.sha256),
                    "@type": "uco-observable:FileFacet",
                    "uco-observable:fileName": e.name,
                    "uco-observable:sizeInBytes": e.size,
                },
                {
                    "@id": ids("content-data-facet", e.sha256),
                    "@type": "uco-observable:ContentDataFacet",
                    "uco-observable:sizeInBytes": e.size,
                    "uco-observable:hash": [
                        _hash(ids("hash", "SHA256", e.sha256), "SHA256", e.sha256)
                    ],
                },
            ],
        }
        record = ids("provenance-record", e.sha256)
        records.append(record)
        yield {
            "@id": record,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": f"E{e.number}",
            "uco-core:description": f"Stored byte for byte in the case; added from {e.source_path}",
            "uco-core:object": [_ref(node)],
        }
        acquisition: dict[str, Any] = {
            "@id": ids("acquisition", e.sha256),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "exhibit added to the case",
            "uco-action:instrument": _ref(tool),
            "uco-action:result": [_ref(node), _ref(record)],
        }
        if e.acquired_iso:
            acquisition["uco-action:endTime"] = _time(e.acquired_iso)
        yield acquisition

    # Applications and accounts.
    apps: dict[str, str] = {}

    def app(platform: str) -> Iterator[dict[str, Any]]:
        if platform not in apps:
            apps[platform] = ids("application", platform)
            yield {
                "@id": apps[platform],
                "@type": "uco-observable:Application",
                "uco-core:name": platform,
            }

    accounts: dict[tuple[str, str], str] = {}
    for a in m.accounts:
        ident = a.platform_id or a.name or ""
        if not ident or (a.platform, ident) in accounts:
            continue
        yield from app(a.platform)
        node = ids("account", a.platform, ident)
        accounts[(a.platform, ident)] = node
        if a.name:
            accounts.setdefault((a.platform, a.name), node)
        facets: list[dict[str, Any]] = [
            {
                "@id": ids("account-facet", a.platform, ident),
                "@type": "uco-observable:AccountFacet",
                "uco-observable:accountIdentifier": ident,
            },
            {
                "@id": ids("application-account-facet", a.platform, ident),
                "@type": "uco-observable:ApplicationAccountFacet",
                "uco-observable:application": _ref(apps[a.platform]),
            },
        ]
        if a.name:
            facets.append(
                {
                    "@id": ids("digital-account-facet", a.platform, ident),
                    "@type": "uco-observable:DigitalAccountFacet",
                    "uco-observable:displayName": a.name,
                }
            )
        yield {
            "@id": node,
            "@type": "uco-observable:ApplicationAccount",
            "uco-core:description": f"side: {a.side}",
            "uco-core:hasFacet": facets,
        }
        if a.profile_url:
            url = ids("url", a.profile_url)
            yield _url(url, ids("url-facet", a.profile_url), a.profile_url)
            yield _relation(ids("relationship", url, node), url, node, "Profile_Of")

    # Messages, each contained within the exhibit it was read from.
    messages: dict[int, str] = {}
    for r in m.messages:
        node = ids("message", r.id)
        messages[r.id] = node
        yield from app(r.platform)
        facet: dict[str, Any] = {
            "@id": ids("message-facet", r.id),
            "@type": "uco-observable:MessageFacet",
            "uco-observable:messageText": r.text,
            "uco-observable:application": _ref(apps[r.platform]),
        }
        if r.iso:
            facet["uco-observable:sentTime"] = _time(r.iso)
        if r.message_id:
            facet["uco-observable:messageID"] = r.message_id
        sender = accounts.get((r.platform, r.sender_id or "")) or accounts.get(
            (r.platform, r.sender)
        )
        if sender:
            facet["uco-observable:from"] = _ref(sender)
        yield {"@id": node, "@type": "uco-observable:Message", "uco-core:hasFacet": [facet]}
        if r.exhibit_sha256 in files:
            yield _relation(
                ids("relationship", node, "in"),
                node,
                files[r.exhibit_sha256],
                "Contained_Within",
                f"message {r.number}; {r.locator}",
            )

    # The other party's identifiers, each linked to the messages it was found in.
    for i in m.identifiers:
        node = ids("identifier", i.kind, i.value)
        yield from _identifier(i.kind, i.value, node, ids, apps, i.validity_label)
        for mid in m.identifier_messages.get((i.kind, i.value), ()):
            if mid in messages:
                yield _relation(ids("relationship", node, mid), node, messages[mid], "Found_In")

    # Fingerprints of intimate media: hashes only, never the media.
    for f in m.fingerprints:
        node = ids("fingerprint", f.sha256)
        hashes = [_hash(ids("hash", "SHA256", f.sha256), "SHA256", f.sha256)]
        if f.md5:
            hashes.append(_hash(ids("hash", "MD5", f.md5), "MD5", f.md5))
        yield {
            "@id": node,
            "@type": "uco-observable:File",
            "uco-core:description": (
                f"{f.kind} fingerprint only, the media is not included; PDQ {f.pdq or 'none'}"
                f" (quality {f.quality})"
            ),
            "uco-core:hasFacet": [
                {
                    "@id": ids("content-data-facet", "fp", f.sha256),
                    "@type": "uco-observable:ContentDataFacet",
                    "uco-observable:hash": hashes,
                }
            ],
        }

    # Actions the person or their helpers took (reports, payments cancelled, ...).
    for act in m.actions:
        action: dict[str, Any] = {
            "@id": ids("action", act.seq),
            "@type": "uco-action:Action",
            "uco-core:name": act.kind,
            "uco-core:description": "; ".join(
                x
                for x in (
                    f"to {act.to}" if act.to else "",
                    f"reference {act.ref}" if act.ref else "",
                    f"status {act.status}" if act.status else "",
                    act.detail or "",
                )
                if x
            )
            or act.kind,
        }
        if act.at_iso:
            action["uco-action:startTime"] = _time(act.at_iso)
        yield action

    # The report itself: an investigative action over the exhibits, resulting in the above.
    report: dict[str, Any] = {
        "@id": ids("report", m.generated_iso),
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": "evidence report",
        "uco-core:description": (
            f"unshared report of {m.case_name}; log head {m.log.hash if m.log else 'none'}"
            + (f"; report seal {seal}" if seal else "")
        ),
        "uco-action:instrument": _ref(tool),
        "uco-action:object": [_ref(n) for n in files.values()],
        "uco-action:result": [_ref(r) for r in records],
    }
    if m.generated_iso:
        report["uco-action:endTime"] = _time(m.generated_iso)
    yield report
    yield {
        "@id": ids("investigation", m.case_key),
        "@type": "case-investigation:Investigation",
        "uco-core:name": m.case_name,
        "case-investigation:focus": "sextortion",
        "uco-core:object": [_ref(r) for r in records] + [_ref(report["@id"])],
    }


def _url(node: str, facet: str, value: str) -> dict[str, Any]:
    return {
        "@id": node,
        "@type": "uco-observable:URL",
        "uco-core:hasFacet": [
            {"@id": facet, "@type": "uco-observable:URLFacet", "uco-observable:fullValue": value}
        ],
    }


def _relation(
    node: str, source: str, target: str, kind: str, description: str | None = None
) -> dict[str, Any]:
    rel: dict[str, Any] = {
        "@id": node,
        "@type": "uco-core:Relationship",
        "uco-core:source": _ref(source),
        "uco-core:target": _ref(target),
        "uco-core:kindOfRelationship": kind,
        "uco-core:isDirectional": True,
    }
    if description:
        rel["uco-core:description"] = description
    return rel


def _identifier(
    kind: str,
    value: str,
    node: str,
    ids: _Ids,
    apps: dict[str, str],
    validity: str,
) -> Iterator[dict[str, Any]]:
    label = KIND_LABELS.get(kind, kind)
    described = f"{label}; {validity}"
    account_facet = {
        "@id": ids("account-facet", kind, value),
        "@type": "uco-observable:AccountFacet",
        "uco-observable:accountIdentifier": value,
    }
    if kind == "phone":
        yield {
            "@id": node,
            "@type": "uco-observable:PhoneAccount",
            "uco-core:description": described,
            "uco-core:hasFacet": [
                account_facet,
                {
                    "@id": ids("phone-facet", value),
                    "@type": "uco-observable:PhoneAccountFacet",
                    "uco-observable:phoneNumber": value,
                },
            ],
        }
    elif kind == "email":
        yield {
            "@id": node,
            "@type": "uco-observable:EmailAddress",
            "uco-core:description": described,
            "uco-core:hasFacet": [
                {
                    "@id": ids("email-facet", value),
                    "@type": "uco-observable:EmailAddressFacet",
                    "uco-observable:addressValue": value,
                }
            ],
        }
    elif kind in ("url", "facebook_profile"):
        doc = _url(node, ids("url-facet", kind, value), value)
        doc["uco-core:description"] = described
        yield doc
    elif kind in _APP_ACCOUNT_KINDS:
        platform = _APP_ACCOUNT_KINDS[kind]
        facets: list[dict[str, Any]] = [account_facet]
        if platform in apps:
            facets.append(
                {
                    "@id": ids("application-account-facet", kind, value),
                    "@type": "uco-observable:ApplicationAccountFacet",
                    "uco-observable:application": _ref(apps[platform]),
                }
            )
        yield {
            "@id": node,
            "@type": "uco-observable:ApplicationAccount",
            "uco-core:description": described,
            "uco-core:hasFacet": facets,
        }
    elif kind in _ACCOUNT_KINDS:
        yield {
            "@id": node,
            "@type": "uco-observable:DigitalAccount",
            "uco-core:description": described,
            "uco-core:hasFacet": [account_facet],
        }
    else:  # MTCN, MoneyGram reference, gift card code: references, not accounts
        yield {
            "@id": node,
            "@type": "uco-observable:ObservableObject",
            "uco-core:name": f"{label} {value}",
            "uco-core:description": described,
        }
