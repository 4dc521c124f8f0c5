"""A tenant's delivery targets and one delivery per (submission, target).

Whether a delivery went out, how often it was tried and why it failed is
its outbox message (``platform/outbox.py``, kind ``delivery``, subject the
delivery's id); this table says what goes where.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amtsweg.platform.db import Base, TenantOwned, Timestamped


class Target(TenantOwned, Timestamped, Base):
    """Somewhere a tenant's submissions go: a folder, a mailbox, a webhook, a DMS.

    ``name`` is what tenant forms select it by; forms that select none go to
    the tenant's ``default`` targets. ``config`` holds the kind's fields
    (see :mod:`amtsweg.delivery.targets`) except the secret ones (passwords,
    shared secrets): those are ``secrets``, a Fernet token of a JSON object
    (``amtsweg.delivery.service.VAULT``), never plain text in the database.
    """

    __tablename__ = "delivery_targets"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secrets: Mapped[str] = mapped_column(Text, default="")
    default: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)


class Delivery(TenantOwned, Base):
    """One submission on its way to one target; its id is the receiver's idempotency key."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "submission_id", "target_id"),
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"], ["submissions.tenant_id", "submissions.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "target_id"], ["delivery_targets.tenant_id", "delivery_targets.id"]
        ),
    )

    submission_id: Mapped[uuid.UUID]
    target_id: Mapped[uuid.UUID]
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]
