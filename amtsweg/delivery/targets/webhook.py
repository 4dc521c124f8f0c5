"""``webhook``: ``submission.json`` POSTed to a municipality's specialist system, signed.

Headers the receiver reads (documented for receivers in docs/delivery.md):

``Amtsweg-Delivery``
    The delivery's id; the same on every retry. Store it and answer 2xx to
    an id seen before, so a retry after a lost answer is not processed twice.
``Amtsweg-Timestamp``
    Seconds since 1970 (UTC) when this try was signed.
``Amtsweg-Signature``
    ``v1=<hex>``, HMAC-SHA256 with the shared secret over
    ``<timestamp>.<body>`` (the timestamp's digits, a dot, the body's bytes).
    Reject a bad signature and a timestamp older than five minutes.

A 2xx answer is success. 408, 425, 429 and 5xx answers, timeouts and
connection errors are retried; any other 4xx is permanent (the receiver
refused this document, trying it again will not help).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from amtsweg.delivery.interfaces import ConfigField, Parcel
from amtsweg.delivery.targets.fields import check_fields
from amtsweg.platform.errors import FieldProblem, json_pointer
from amtsweg.platform.outbox import SendError

TIMEOUT = 30
RETRYABLE = {408, 425, 429}
MIN_SECRET_LENGTH = 16


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    kind: ClassVar[str] = "webhook"
    label: ClassVar[str] = _l("Webhook to a specialist system")
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("url", _l("Address (HTTPS)"), "url"),
        ConfigField("secret", _l("Shared secret for the signature"), "secret"),
    )

    url: str
    secret: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookTarget:
        return cls(config["url"], config["secret"])

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[FieldProblem]:
        problems = check_fields(cls.config_fields, config)
        secret = config.get("secret")
        if isinstance(secret, str) and 0 < len(secret) < MIN_SECRET_LENGTH:
            problems.append(
                FieldProblem(
                    json_pointer("config", "secret"),
                    gettext(
                        "The secret needs at least %(count)d characters.", count=MIN_SECRET_LENGTH
                    ),
                    "too_short",
                )
            )
        return problems

    def deliver(self, parcel: Parcel) -> None:
        body = json.dumps(parcel.document, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Amtsweg-Delivery": str(parcel.delivery_id),
            "Amtsweg-Timestamp": timestamp,
            "Amtsweg-Signature": signature(self.secret, timestamp, body),
        }
        try:
            answer = requests.post(
                self.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as error:
            raise SendError(f"{self.url} did not answer: {error}") from error
        if 200 <= answer.status_code < 300:
            return
        retryable = answer.status_code >= 500 or answer.status_code in RETRYABLE
        raise SendError(
            f"{self.url} answered {answer.status_code}: {answer.text[:200]}",
            permanent=not retryable,
        )
