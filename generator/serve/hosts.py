"""The names a request may give for this server (Hosts): requests for any other host are refused."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

WILDCARDS = ("", "0.0.0.0", "::")
"""Listen addresses meaning every interface."""


@dataclass(frozen=True, slots=True)
class Hosts:
    """The names a request may give for this server in its Host header, and the pages that may open the
    reload socket. Any site can make a name of its own point at 127.0.0.1 (DNS rebinding) and have the
    writer's browser fetch the preview, or open /livereload from one of its pages: those are refused."""

    names: frozenset[str]
    """Lowercase, without a trailing dot, IPv6 addresses in brackets: as _host() gives a Host header's name."""
    port: int

    @classmethod
    def of(cls, host: str, port: int) -> Hosts:
        """The address `host` (or the name) the server listens on, and localhost when that is a loopback
        address; for every address (0.0.0.0, ::), the machine's own names and addresses too, as far as the
        standard library can tell. (A page cannot make a browser send an address it is not at: only a name
        can be made to point elsewhere.)"""
        names = {host} if host not in WILDCARDS else {host, socket.gethostname(), socket.getfqdn(), "127.0.0.1", "::1"}
        names |= {a for n in list(names) for a in _addresses(n)}
        if host in WILDCARDS:
            names |= _routed()
        if any(_loopback(n) for n in names):
            names.add("localhost")
        return cls(frozenset(filter(None, map(_host, names))), port)

    def allow(self, authority: str) -> bool:
        """Whether a Host header (name, then maybe :port) names this server; any port, as a forwarded one may
        differ from the port it listens on."""
        return _split(authority)[0] in self.names

    def allow_origin(self, origin: str, authority: str) -> bool:
        """Whether a page of `origin` may open the reload socket of a request with this Host header: one of
        this server's names, on the port it listens on or the request's own."""
        try:
            parts = urlsplit(origin)
            port = parts.port or 80
        except ValueError:
            return False
        return (parts.scheme == "http" and _host(parts.hostname or "") in self.names
                and port in (self.port, _split(authority)[1]) and not parts.path)

    def shown(self) -> str:
        return ", ".join(f"{n}:{self.port}" for n in sorted(self.names, key=lambda n: (n != "localhost", n)))


def _split(authority: str) -> tuple[str | None, int]:
    """A Host header as (name as in Hosts.names, port); (None, 0) when it is not one."""
    name, colon, port = authority.rpartition(":") if not authority.endswith("]") else ("", "", "")
    if not colon:
        name, port = authority, "80"
    if not port.isascii() or not port.isdigit() or name.count(":") and not name.startswith("["):
        return None, 0
    return _host(name), int(port)


def _host(name: str) -> str | None:
    """A host name or address in one spelling: lowercase, no trailing dot, IPv6 in brackets without a zone."""
    name = name.lower().removesuffix(".")
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        address = ipaddress.ip_address(bare.partition("%")[0])
    except ValueError:
        return name if name and ":" not in name and "[" not in name else None
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]").partition("%")[0]).is_loopback
    except ValueError:
        return False


def _addresses(name: str) -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return set()


def _routed() -> set[str]:
    """This machine's address on its default routes: a datagram socket connected to a documentation address
    is given one (nothing is sent)."""
    found = set()
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.add(str(s.getsockname()[0]))
        except OSError:
            pass
    return found
