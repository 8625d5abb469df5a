"""Fetching a calendar feed from an address a mentor typed: safely, cheaply, with reasons in words.

- `webcal://` is https; plain `http://` only to an address in `allowed_networks`.
- The host is resolved once and every address it resolves to must be public: loopback, private,
  link-local (cloud metadata at 169.254.169.254), multicast and reserved addresses are refused
  unless they lie in `allowed_networks` (the setting CALENDAR_FEEDS_ALLOWED_NETWORKS: empty in
  production, the loopback network in tests and local development). The connection then goes
  to the address that was checked (the TLS name still checked against the host), so a second DNS
  answer cannot swap in an inside address.
  Redirects are followed by hand, at most five, each checked the same way.
- Conditional requests: the caller passes the ETag and Last-Modified of the last good copy and
  gets `body=None` back on 304 Not Modified.
- A timeout on connecting and on each read, an overall deadline, and a cap on the decoded size
  (a compressed "bomb" is cut off like a large file).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
DEADLINE = 30.0
MAX_REDIRECTS = 5
PLAIN_HTTP = gettext_lazy("Use the calendar's https:// or webcal:// address; plain http:// is not safe.")
USER_AGENT = "TheMentors calendar sync (+https://github.com/thementors)"


class FetchError(Exception):
    """Why the feed could not be read, in words a mentor can act on."""


class CredentialsRefused(FetchError):
    """The server refused the user name or password (a form shows it by the password)."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the ETag / Last-Modified given
    etag: str
    last_modified: str
    url: str  # where the feed was found, after redirects


def normalised(url: str) -> str:
    """The address as it will be fetched: webcal:// becomes https://, spaces trimmed."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    return url


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def networks(cidrs: list[str] | tuple[str, ...]) -> Networks:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


def _address(host: str, port: int, *, allowed: Networks) -> tuple[str, bool]:
    """The address to connect to, and whether it lies in an allowed (inside) network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(_("The server %(host)s could not be found.") % {"host": host}) from error
    found = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    inside = [any(ip in net for net in allowed if ip.version == net.version) for ip in found]
    for ip, allowed_inside in zip(found, inside, strict=True):
        if not ip.is_global and not allowed_inside:
            raise FetchError(
                _("%(host)s points to a private or local network address, which is not allowed.")
                % {"host": host}
            )
    return str(found[0]), inside[0]


def _pool(scheme: str, address: str, host: str, port: int) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


def _checked(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(_("Enter the calendar's https:// or webcal:// address."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise FetchError(_("The address has a port that is not a number.")) from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, path


def resolve(url: str, *, allowed: Networks) -> tuple[str, str, int, str, str]:
    """The URL's scheme, host, port and path, and the checked address to connect to."""
    scheme, host, port, path = _checked(url)
    if scheme == "http" and not allowed:
        raise FetchError(PLAIN_HTTP)
    address, inside = _address(host, port, allowed=allowed)
    if scheme == "http" and not inside:
        raise FetchError(PLAIN_HTTP)
    return scheme, host, port, path, address


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allowed_networks: Networks = (),
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    url = normalised(url)
    deadline = time.monotonic() + DEADLINE
    for _attempt in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, address = resolve(url, allowed=allowed_networks)
        headers = {
            "Host": host if port in (80, 443) else f"{host}:{port}",
            "User-Agent": USER_AGENT,
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        pool = _pool(scheme, address, host, port)
        try:
            response = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False)
        except urllib3.exceptions.SSLError as error:
            raise FetchError(_("%(host)s did not present a valid certificate.") % {"host": host}) from error
        except (urllib3.exceptions.TimeoutError, urllib3.exceptions.MaxRetryError) as error:
            raise FetchError(_("%(host)s did not answer in time.") % {"host": host}) from error
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(_("Could not connect to %(host)s.") % {"host": host}) from error
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status == 304:
                return Fetched(body=None, etag=etag, last_modified=last_modified, url=url)
            if response.status in (401, 403):
                raise FetchError(
                    _("The calendar is private at this address: use its secret or public iCal address.")
                )
            if response.status in (404, 410):
                raise FetchError(_("Nothing is published at this address any more (it may have been reset)."))
            if response.status != 200:
                raise FetchError(
                    _("The calendar's server answered with an error (%(status)s).")
                    % {"status": response.status}
                )
            body = _read_capped(response, max_bytes=max_bytes, deadline=deadline, host=host)
            return Fetched(
                body=body,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
                url=url,
            )
        finally:
            response.release_conn()
            pool.close()
    raise FetchError(_("The address redirects too many times."))


def _read_capped(response, *, max_bytes: int, deadline: float, host: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    _("The calendar is larger than %(megabytes)s MB.")
                    % {"megabytes": max_bytes // (1024 * 1024)}
                )
            if time.monotonic() > deadline:
                raise FetchError(_("%(host)s took too long to send the calendar.") % {"host": host})
            chunks.append(chunk)
    except (urllib3.exceptions.TimeoutError, urllib3.exceptions.ProtocolError) as error:
        raise FetchError(_("%(host)s stopped sending the calendar part way.") % {"host": host}) from error
    except urllib3.exceptions.DecodeError as error:
        raise FetchError(
            _("%(host)s sent a calendar that could not be decompressed.") % {"host": host}
        ) from error
    return b"".join(chunks)
