"""RFC 3986 URIs: what OCPP 1.6 means by `format: uri` (GetDiagnostics.location, UpdateFirmware.location).

OCPP 2.0.1 gives these locations as plain strings, so a CSMS may send text that is no URI. `as_uri`
returns the URI to send, or None when there is none:
- non-ASCII characters are percent-encoded as UTF-8, the standard mapping of an IRI to a URI
  (RFC 3987 section 3.1: `https://x.example/é` -> `https://x.example/%C3%A9`);
- anything else must already follow the grammar of RFC 3986 appendix A (`[1]` in a path, `%zz`, a
  backslash, `<x>` or a space do not): guessing what such text meant could fetch another file.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = rf"\[(?:(?P<ipv6>[0-9A-Fa-f:.]+)|v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+)\]"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"  # IPv4 addresses are reg-names by syntax
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_HIER_PART = (
    rf"//{_AUTHORITY}(?:/{_SEGMENT})*"  # path-abempty
    rf"|/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"  # path-absolute
    rf"|{_SEGMENT_NZ}(?:/{_SEGMENT})*"  # path-rootless
    r"|"  # path-empty
)
_TAIL = rf"(?:{_PCHAR}|[/?])*"
URI = re.compile(rf"{_SCHEME}:(?:{_HIER_PART})(?:\?{_TAIL})?(?:#{_TAIL})?")

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def is_uri(text: str) -> bool:
    """True when `text` is a URI by RFC 3986 (not a relative reference)."""
    match = URI.fullmatch(text)
    if match is None:
        return False
    ipv6 = match.group("ipv6")
    if ipv6 is not None:
        try:
            ipaddress.IPv6Address(ipv6)
        except ValueError:
            return False
    return True


def as_uri(text: str) -> str | None:
    """`text` as an RFC 3986 URI (non-ASCII characters percent-encoded), or None if it is not one."""
    mapped = _NON_ASCII.sub(lambda m: quote(m.group(), safe="", errors="strict"), text)
    return mapped if is_uri(mapped) else None


__all__ = ["URI", "as_uri", "is_uri"]
