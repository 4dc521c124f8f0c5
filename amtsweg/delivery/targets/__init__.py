"""The kinds of delivery target, by the name a tenant's configuration gives them.

``folder`` (a directory on the server, ``make demo``'s default), ``mailbox``
(the municipality's functional mailbox over SMTP), ``webhook`` (a signed
HTTPS POST to a specialist system) and ``cmis`` (a DMS over the CMIS 1.1
browser binding). ``fields.check_fields`` checks what every kind's fields have
in common (``fields.py``); each kind adds its own checks.
"""

from __future__ import annotations

from flask import current_app

from amtsweg.delivery.interfaces import DeliveryTarget
from amtsweg.delivery.targets.cmis import CmisTarget
from amtsweg.delivery.targets.folder import FolderTarget
from amtsweg.delivery.targets.mailbox import MailboxTarget
from amtsweg.delivery.targets.webhook import WebhookTarget

KINDS: dict[str, type[DeliveryTarget]] = {
    kind.kind: kind for kind in (FolderTarget, MailboxTarget, WebhookTarget, CmisTarget)
}


def offered_kinds() -> dict[str, type[DeliveryTarget]]:
    """The kinds an admin may set up here: ``folder`` only where the operator gave it a
    directory (``AMTSWEG_DELIVERIES_DIR``; in production there is none by default, as a
    container's own directory is read-only and read by nobody)."""
    if current_app.config["AMTSWEG"].deliveries_dir is None:
        return {kind: target for kind, target in KINDS.items() if kind != FolderTarget.kind}
    return KINDS
