"""Where a partner webhook may be sent: the partner's own servers, never ours.

A target is refused when its scheme is not ``https`` (plain ``http`` only when
``NOTIFY_WEBHOOK_ALLOW_HTTP`` allows it, for local tests), or when ANY address its host resolves to is
not a public unicast address: loopback, private (RFC 1918), link-local (which holds the clouds'
metadata endpoint 169.254.169.254), multicast, unique-local IPv6, carrier-grade NAT, reserved,
unspecified, and IPv4 hidden in IPv6 (``::ffff:127.0.0.1``). The check runs at registration (422) and
again before every delivery, and the delivery connects to the address that was just checked (the URL's
host stays in ``Host`` and in TLS's SNI and certificate check), so a name that resolves elsewhere
afterwards (DNS rebinding) reaches nothing inside. Redirects are never followed.

``NOTIFY_WEBHOOK_HOSTS`` (``name=address`` pairs) answers for the names it lists before the system
resolver, like ``/etc/hosts``; ``NOTIFY_WEBHOOK_ALLOWED_TARGETS`` (``address:port`` entries) exempts
exact addresses from the rule, for local stand-ins in tests. Both are empty in production.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

if TYPE_CHECKING:
    from notify.config import NotifySettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL may not receive webhooks; ``str(exc)`` is a French sentence for the administrator."""


@dataclass(frozen=True)
class TargetPolicy:
    allow_http: bool = False
    hosts: tuple[tuple[str, str], ...] = ()  # (name, address), answered before the system resolver
    allowed: frozenset[tuple[str, int]] = frozenset()  # (address, port) exempted, for tests only

    @classmethod
    def of(cls, settings: "NotifySettings") -> "TargetPolicy":
        return cls.from_settings(
            allow_http=settings.webhook_allow_http,
            hosts=settings.webhook_hosts,
            allowed_targets=settings.webhook_allowed_targets,
        )

    @classmethod
    def from_settings(
        cls, *, allow_http: bool, hosts: list[str], allowed_targets: list[str]
    ) -> "TargetPolicy":
        pairs = []
        for entry in hosts:
            name, _, address = entry.partition("=")
            pairs.append((name.strip().lower().rstrip("."), str(ipaddress.ip_address(address.strip()))))
        exempt = set()
        for entry in allowed_targets:
            address, _, port = entry.strip().rpartition(":")
            exempt.add((str(ipaddress.ip_address(address.strip("[]"))), int(port)))
        return cls(allow_http=allow_http, hosts=tuple(pairs), allowed=frozenset(exempt))


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: SplitResult
    host: str  # as written in the URL (IDNA-encoded, lowercase)
    port: int
    address: IPAddress

    @property
    def connect_url(self) -> str:
        """The URL with the checked address instead of the name."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return self.url._replace(netloc=f"{literal}:{self.port}").geturl()

    @property
    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not (address.is_multicast or address.is_reserved)


def parse(url: str, policy: TargetPolicy) -> tuple[SplitResult, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("Adresse du webhook illisible.") from exc
    if parts.scheme != "https" and not (parts.scheme == "http" and policy.allow_http):
        raise TargetRefused("Le webhook doit être une adresse https://.")
    if parts.username or parts.password:
        raise TargetRefused("L'adresse du webhook ne doit pas contenir d'identifiants.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("L'adresse du webhook n'a pas de nom d'hôte.")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int, policy: TargetPolicy) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    listed = [ipaddress.ip_address(a) for name, a in policy.hosts if name == host.lower()]
    if listed:
        return listed
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"Le nom d'hôte {host} ne se résout pas.") from exc
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


async def check(url: str, policy: TargetPolicy) -> Target:
    """The target to connect to, or :class:`TargetRefused` when any address of the host is ours."""
    parts, host, port = parse(url, policy)
    addresses = await resolve(host, port, policy)
    if not addresses:
        raise TargetRefused(f"Le nom d'hôte {host} ne se résout pas.")
    for address in addresses:
        if not is_public(address) and (str(address), port) not in policy.allowed:
            raise TargetRefused(
                f"Adresse interne refusée : {host} désigne {address}, qui n'est pas une adresse publique "
                "(boucle locale, réseau privé, lien local, métadonnées du cloud, multidiffusion…)."
            )
    return Target(url=parts, host=host, port=port, address=addresses[0])
