"""Where the bank may send alerts: never back inside the network it runs in.

A webhook URL is chosen by a submitter, so a careless or hostile one could aim the bank at its own
loopback, the cloud metadata service or a private network (server-side request forgery).
:class:`WebhookPolicy` refuses that twice:

* when the URL is set: ``http``/``https`` only, no user name or password, a host written as a DNS
  name or a plain IP address (never ``0x7f000001``, ``2130706433``, ``127.1``, octal or
  percent-encoded forms), and every address the name resolves to must be public;
* on every delivery: the name is resolved again, every address checked again, and the request is
  sent to the checked address itself (the ``Host`` header and TLS name stay the original name),
  so a DNS answer that changes in between (rebinding) cannot redirect it. Redirects are never
  followed: a ``3xx`` answer is a failed delivery.

An operator may allow a list of hosts (``unshared bank serve --webhook-allow HOST``); those skip
the address check, nothing else does.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from unshared.errors import BankError

__all__ = ["Target", "WebhookPolicy", "WebhookRefused", "internal_reason"]

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")
_NUMBER = re.compile(r"^([0-9]+|0x[0-9a-f]*)$")  # a last label like this makes the host an IPv4
_BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class WebhookRefused(BankError):
    """The webhook URL aims where the bank must not send anything."""


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookRefused(f"the webhook host {host} cannot be resolved ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def internal_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return internal_reason(embedded)
    for reason, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return reason
    return None if ip.is_global else "not a public address"


@dataclass(frozen=True)
class Target:
    """A checked webhook: where to connect, and what to call the host there."""

    url: str  # with the checked address in place of the name
    host_header: str
    sni: str | None  # the TLS server name (https only)


def _port(scheme: str, text: str | None) -> int:
    if text is None or text == "":
        return 443 if scheme == "https" else 80
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise WebhookRefused("the webhook port must be a number from 1 to 65535")
    return int(text)


@dataclass(frozen=True)
class WebhookPolicy:
    """What webhook URLs are accepted, and how their hosts are resolved (injectable for tests)."""

    allow_hosts: frozenset[str] = frozenset()
    resolve: Resolver = field(default=_system_resolve)

    def _allowed(self, host: str) -> bool:
        wanted = {h.lower().rstrip(".").strip("[]") for h in self.allow_hosts}
        return host.rstrip(".") in wanted

    def check(self, url: str) -> Target:
        """A :class:`Target` for ``url``, or :class:`WebhookRefused` saying why not."""
        if any(c.isspace() or ord(c) < 32 or c in "\\%" for c in url.split("/", 3)[:3][-1]):
            raise WebhookRefused("the webhook host has characters a host name cannot have")
        try:
            parts = urlsplit(url)
        except ValueError:
            raise WebhookRefused("the webhook is not a valid URL") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise WebhookRefused("the webhook must be an http:// or https:// URL")
        netloc = parts.netloc
        if "@" in netloc:
            raise WebhookRefused("a webhook URL may not hold a user name or password")
        literal6 = netloc.startswith("[")
        if literal6:
            end = netloc.find("]")
            if end < 0:
                raise WebhookRefused("the webhook's IPv6 address is not closed with ]")
            host, rest = netloc[1:end].lower(), netloc[end + 1 :]
            if rest and not rest.startswith(":"):
                raise WebhookRefused("the webhook URL is not valid after its IPv6 address")
            port = _port(scheme, rest[1:] if rest else None)
        else:
            host, colon, port_text = netloc.lower().partition(":")
            port = _port(scheme, port_text if colon else None)
        addresses = self._addresses(host, literal6, port)
        address = addresses[0]
        shown = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
        default = 443 if scheme == "https" else 80
        host_header = (f"[{host}]" if literal6 else host) + ("" if port == default else f":{port}")
        rest_of_url = url[len(parts.scheme) + 3 + len(netloc) :]
        return Target(
            f"{scheme}://{shown}:{port}{rest_of_url}",
            host_header,
            host.rstrip(".") if scheme == "https" and not literal6 else None,
        )

    def _addresses(self, host: str, literal6: bool, port: int) -> list[IPAddress]:
        if not host:
            raise WebhookRefused("the webhook URL has no host")
        if literal6:
            if "%" in host:
                raise WebhookRefused("a webhook address may not name a network interface")
            try:
                literal: IPAddress = ipaddress.IPv6Address(host)
            except ValueError:
                raise WebhookRefused("the webhook's IPv6 address is not valid") from None
            return self._checked(host, [literal])
        if _NUMBER.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
            try:  # only the four-decimal form: no hex, octal, single-number or short forms
                literal = ipaddress.IPv4Address(host)
            except ValueError:
                raise WebhookRefused(
                    "write a webhook's IP address as four decimal numbers (a.b.c.d)"
                ) from None
            return self._checked(host, [literal])
        if not _NAME.fullmatch(host):
            raise WebhookRefused("the webhook host is not a valid host name")
        bare = host.rstrip(".")
        if not self._allowed(bare) and (
            bare in _BLOCKED_NAMES or bare.endswith((".localhost", ".internal", ".local"))
        ):
            raise WebhookRefused(f"the webhook host {bare} is a local name")
        answers = self.resolve(bare, port)
        try:
            found = [ipaddress.ip_address(a.split("%")[0]) for a in answers]
        except ValueError:
            raise WebhookRefused(f"the webhook host {bare} resolved to something odd") from None
        if not found:
            raise WebhookRefused(f"the webhook host {bare} cannot be resolved")
        return self._checked(bare, found)

    def _checked(self, host: str, addresses: list[IPAddress]) -> list[IPAddress]:
        """Every address must be public (one internal answer refuses them all)."""
        if self._allowed(host):
            return addresses
        for address in addresses:
            reason = internal_reason(address)
            if reason:
                raise WebhookRefused(
                    f"the webhook host {host} is {address}, a {reason} address: alerts are only "
                    "sent to public addresses (an operator can allow a host)"
                )
        return addresses
