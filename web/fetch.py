"""Fetching a URL the user gave (CLI imports): public addresses only, no scheme change.

A URL typed into an import may point at the machine itself or its network
(``http://127.0.0.1:5432/``, ``http://169.254.169.254/`` metadata, a router's
admin page). :func:`fetch_url` resolves the host once, refuses loopback,
private, link-local, shared, multicast and reserved addresses unless
``allow_private``, connects to the very address it checked (no second DNS
answer can swap it), follows redirects only within the same scheme (each hop
checked again), and reads at most ``max_bytes``, with a progress bar.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

from graphs.errors import BassinRoutesError
from graphs.progress import progress_bar

MAX_REDIRECTS = 5
USER_AGENT = "bassin-routes/0.1"


class FetchError(BassinRoutesError):
    """A URL is refused (address, scheme, redirect, size) or cannot be fetched."""


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host} ({exc.strerror}); offline?") from None


def _refusal(host: str, addresses) -> FetchError:
    return FetchError(f"{host} is a loopback, private or link-local address "
                      f"({', '.join(sorted(set(addresses)))}): refused; pass --allow-private "
                      "to import from your own network")


def check_url(url: str, allow_private: bool = False) -> None:
    """Refuse, before anything is fetched, a URL of another scheme or of a non-public host.

    Raises
    ------
    FetchError
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise FetchError(f"no host in {url!r}")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    refused = [info[4][0] for info in _resolve(parts.hostname, port) if not is_public(info[4][0])]
    if refused:
        raise _refusal(parts.hostname, refused)


def _connect(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    """A socket connected to an address of ``host`` that passed the check."""
    refused = []
    for family, kind, proto, _, address in _resolve(host, port):
        if not allow_private and not is_public(address[0]):
            refused.append(address[0])
            continue
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            continue
        return sock
    if refused:
        raise _refusal(host, refused)
    raise FetchError(f"cannot connect to {host}:{port}; offline?")


class _CheckedHTTP(http.client.HTTPConnection):
    allow_private = False

    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout, self.allow_private)


class _CheckedHTTPS(http.client.HTTPSConnection):
    allow_private = False

    def connect(self):
        sock = _connect(self.host, self.port, self.timeout, self.allow_private)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_url(url: str, allow_private: bool = False, max_bytes: int = 20 * 1024 * 1024,
              timeout: float = 60, accept: str = "application/json",
              progress: bool | None = None) -> bytes:
    """The body of ``url`` (http or https), checked as the module says.

    Raises
    ------
    FetchError
        Other scheme, refused address, redirect to another scheme or too many,
        HTTP error, larger than ``max_bytes``, network failure.
    """
    check_url(url, allow_private=True)          # scheme and host; addresses at connection
    scheme = urlsplit(url).scheme.lower()
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme.lower() != scheme:
            raise FetchError(f"redirect from {scheme} to {parts.scheme or 'no scheme'} "
                             f"({url}): refused")
        if not parts.hostname:
            raise FetchError(f"no host in {url!r}")
        cls = _CheckedHTTPS if scheme == "https" else _CheckedHTTP
        conn = cls(parts.hostname, parts.port, timeout=timeout)
        conn.allow_private = allow_private
        try:
            conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                         headers={"Accept": accept, "User-Agent": USER_AGENT})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"redirect without a Location from {url}")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"{url} answered HTTP {response.status} {response.reason}")
            return _read(response, url, max_bytes, progress)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"cannot fetch {url} ({exc}); offline? save the document to a "
                             "file and import the file") from None
        finally:
            conn.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}: refused")


def _read(response, url: str, max_bytes: int, progress: bool | None) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB: refused")
    chunks, size = [], 0
    with progress_bar(progress, desc="download", unit="B", unit_scale=True,
                      total=int(length) if length and length.isdigit() else None) as bar:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB: refused")
            chunks.append(chunk)
            bar.update(len(chunk))
    return b"".join(chunks)
