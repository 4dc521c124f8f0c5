"""Shared by the association admins' page tests: the catalogue loaded, an admin logged in."""

from __future__ import annotations

import pytest

from amtsweg.formdefs import service
from amtsweg.platform.db import db


@pytest.fixture
def admin(client, log_in):
    """The test client, logged in as the association admin, with the catalogue published."""
    service.load_catalogue()
    db.session.commit()
    log_in("association-admin")
    return client
