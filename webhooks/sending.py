"""POSTing one signed delivery to a mentor's endpoint: to a checked public address, briefly.

- https only; plain http only to an address inside WEBHOOKS_ALLOWED_NETWORKS (the tests' local
  receiver, local development), as calendar feeds allow.
- The host is resolved and checked by core.netguard (no loopback, private or link-local address
  outside those networks) and the connection goes to the checked address, the TLS name still
  checked against the host.
- Short timeouts; redirects are not followed (a 3xx is a failed attempt, as at Stripe); the
  status code and the first few hundred characters of the answer are kept for the delivery log.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from core.netguard import AddressRefused, Networks, checked_address, networks

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
EXCERPT_BYTES = 1024
EXCERPT_CHARS = 300
USER_AGENT = "TheMentors-Webhooks/1.0 (+https://github.com/thementors)"


class EndpointRefused(Exception):
    """The address may not be called (scheme, private address, unknown host): in words."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def allowed_networks() -> Networks:
    return networks(settings.WEBHOOKS_ALLOWED_NETWORKS)


def check_url(url: str, *, allowed: Networks | None = None) -> tuple[str, str, int, str, str]:
    """The URL's scheme, host, port and path and the checked address; EndpointRefused if it may not
    be called (the form shows the reason by the field, a delivery keeps it as its error)."""
    allowed = allowed_networks() if allowed is None else allowed
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise EndpointRefused(_("Enter the endpoint's https:// address."))
    if scheme == "http" and not allowed:
        raise EndpointRefused(
            _("Use an https:// address: events are sent only over an encrypted connection.")
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise EndpointRefused(_("The address has a port that is not a number.")) from error
    try:
        address, inside = checked_address(parts.hostname, port, allowed=allowed)
    except AddressRefused as error:
        raise EndpointRefused(str(error)) from error
    if scheme == "http" and not inside:
        raise EndpointRefused(
            _("Use an https:// address: events are sent only over an encrypted connection.")
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port, path, address


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """One attempt: the answer, or why there was none. Never raises for the network's reasons."""
    try:
        scheme, host, port, path, address = check_url(url)
    except EndpointRefused as error:
        return Answer(status=None, error=str(error))
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    sent = {
        "Host": host if port in (80, 443) else f"{host}:{port}",
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        **headers,
    }
    try:
        response = pool.urlopen("POST", path, body=body, headers=sent, redirect=False, preload_content=False)
    except urllib3.exceptions.SSLError:
        return Answer(status=None, error=_("%(host)s did not present a valid certificate.") % {"host": host})
    except (urllib3.exceptions.TimeoutError, urllib3.exceptions.MaxRetryError):
        return Answer(status=None, error=_("%(host)s did not answer in time.") % {"host": host})
    except urllib3.exceptions.HTTPError:
        return Answer(status=None, error=_("Could not connect to %(host)s.") % {"host": host})
    try:
        try:
            head = response.read(EXCERPT_BYTES, decode_content=True)
        except urllib3.exceptions.HTTPError:
            head = b""
        excerpt = head.decode("utf-8", errors="replace").replace("\x00", "")[:EXCERPT_CHARS]
        error = ""
        if 300 <= response.status < 400:
            error = _("The endpoint redirected (%(status)s); redirects are not followed.") % {
                "status": response.status
            }
        elif not 200 <= response.status < 300:
            error = _("The endpoint answered %(status)s.") % {"status": response.status}
        return Answer(status=response.status, excerpt=excerpt, error=error)
    finally:
        response.release_conn()
        pool.close()
