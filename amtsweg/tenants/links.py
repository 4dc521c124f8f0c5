"""Does a link a tenant configured answer? Asked by the onboarding checklist.

The address is the tenant's input, so the fetch must not become a way into our
network: only http(s), every address the host resolves to must be public
(hosts named in ``AMTSWEG_LINK_CHECK_PRIVATE_HOSTS`` excepted, for tests), a
short timeout, and redirects are followed by hand so each hop is checked too.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app
from flask_babel import gettext

TIMEOUT_SECONDS = 3
MAX_REDIRECTS = 3


def link_problem(url: str) -> str | None:
    """Why ``url`` does not answer with a page, in a sentence that says what to do; or ``None``."""
    for _hop in range(MAX_REDIRECTS + 1):
        if problem := _address_problem(url):
            return problem
        try:
            response = requests.get(
                url, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
            )
            response.close()
        except requests.Timeout:
            return gettext(
                "%(url)s did not answer within %(seconds)d seconds; check the address "
                "and that the page is online.",
                url=url,
                seconds=TIMEOUT_SECONDS,
            )
        except requests.RequestException:
            return gettext(
                "%(url)s cannot be reached (no server answers there); check the address.",
                url=url,
            )
        if response.is_redirect and "Location" in response.headers:
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code >= 400:
            return gettext(
                "%(url)s answers with the error %(status)d; link a page that exists.",
                url=url,
                status=response.status_code,
            )
        return None
    return gettext("%(url)s redirects too often; link the page itself.", url=url)


def _address_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return gettext("%(url)s is not a web address (http:// or https://).", url=url)
    allowed = {h.strip() for h in current_app.config["AMTSWEG"].link_check_private_hosts.split(",")}
    if parts.hostname in allowed:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return gettext("The host of %(url)s does not exist; check the address.", url=url)
    if any(not ipaddress.ip_address(info[4][0]).is_global for info in infos):
        return gettext(
            "%(url)s points to an internal address; link the page on the public web.", url=url
        )
    return None
