"""The sites a mentor lets frame their booking widget: origins, written one a line.

An origin is a scheme, a host and maybe a port (`https://example.com`, `https://shop.example.com:8443`):
no path, no query, no user name, no wildcard. CSP's frame-ancestors then names exactly these. Plain
http is refused except for this machine's own names (localhost, 127.0.0.1, [::1]) where the
settings allow it (EMBED_LOCAL_HTTP_ORIGINS: development and tests).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ORIGINS = 20
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def parse_origin(text: str, *, local_http: bool = False) -> str:
    """The origin written as `text`, normalised (lower case, no default port, no trailing slash);
    a ValidationError saying what is wrong otherwise."""
    value = text.strip()
    if "*" in value:
        raise ValidationError(_("%(value)s: wildcards are not allowed; list each site.") % {"value": value})
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValidationError(_("%(value)s is not a web address.") % {"value": value}) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.netloc:
        raise ValidationError(
            _("%(value)s: write the address with https://, like https://example.com.") % {"value": value}
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_("%(value)s: leave out the user name and password.") % {"value": value})
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValidationError(
            _("%(value)s: only the site, without a path (https://example.com, not https://example.com/page).")
            % {"value": value}
        )
    host = _host(parts.hostname or "", value)
    if scheme == "http" and not (local_http and host in LOCAL_HOSTS):
        raise ValidationError(_("%(value)s: the site must use https://.") % {"value": value})
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def _host(hostname: str, value: str) -> str:
    hostname = hostname.lower().rstrip(".")
    if hostname == "::1":
        return "[::1]"
    try:
        ascii_host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if not ascii_host or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(_("%(value)s: that is not a site's name.") % {"value": value})
    if len(labels) < 2 and ascii_host not in LOCAL_HOSTS:
        raise ValidationError(_("%(value)s: write the whole name, like example.com.") % {"value": value})
    return ascii_host


def parse_origins(text: str, *, local_http: bool = False) -> list[str]:
    """One origin a line (blank lines skipped, repeats kept once, in the order written); every
    line's problem is reported at once."""
    origins, errors = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            origin = parse_origin(line, local_http=local_http)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise ValidationError(errors)
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(_("List at most %(max)d sites.") % {"max": MAX_ORIGINS})
    return origins
