"""Reach the development provider in-process instead of over the network.

The platform talks to its OpenID provider over HTTP (discovery, keys, token
exchange). When that provider is the built-in development one, the requests
go straight into this app's WSGI callable: no port, no second server, and it
works the same under the test client, ``flask run`` and gunicorn.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client


class InProcessAdapter(BaseAdapter):
    def __init__(self, app: Flask) -> None:
        super().__init__()
        self.app = app

    def send(self, request: PreparedRequest, *_args: Any, **_kwargs: Any) -> Response:
        url = urlsplit(request.url or "")
        answer = Client(self.app).open(
            url.path,
            method=request.method or "GET",
            query_string=url.query,
            headers=dict(request.headers),
            data=request.body,
            base_url=f"{url.scheme}://{url.netloc}",
        )
        response = Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()  # noqa: SLF001 - how requests holds a body
        response.url = request.url or ""
        response.request = request
        response.encoding = answer.charset if hasattr(answer, "charset") else "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release."""
