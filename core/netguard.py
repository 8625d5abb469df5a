"""The one check that an address a user typed does not reach inside our network.

Calendar feeds (calendars/fetch.py) and mentors' webhook endpoints (webhooks/sending.py) both
connect to a host a user chose. The host is resolved once and every address it resolves to must
be public: loopback, private, link-local (cloud metadata at 169.254.169.254), multicast and
reserved addresses are refused unless they lie in `allowed` (a setting: empty in production, the
loopback network in tests and local development). The caller then connects to the address that
was checked (the TLS name still checked against the host), so a second DNS answer cannot swap in
an inside address.
"""

from __future__ import annotations

import ipaddress
import socket

from django.utils.translation import gettext as _

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


class AddressRefused(Exception):
    """Why the host may not be reached, in words the person who typed it can act on."""


def networks(cidrs: list[str] | tuple[str, ...]) -> Networks:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


def checked_address(host: str, port: int, *, allowed: Networks) -> tuple[str, bool]:
    """The address to connect to, and whether it lies in an allowed (inside) network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(_("The server %(host)s could not be found.") % {"host": host}) from error
    found = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    inside = [any(ip in net for net in allowed if ip.version == net.version) for ip in found]
    for ip, allowed_inside in zip(found, inside, strict=True):
        if not ip.is_global and not allowed_inside:
            message = _("%(host)s points to a private or local network address, which is not allowed.")
            raise AddressRefused(message % {"host": host})
    return str(found[0]), inside[0]
