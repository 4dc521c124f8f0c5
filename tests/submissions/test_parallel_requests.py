"""A citizen's double clicks and parallel tabs, sent over real HTTP to a threaded server.

The app runs on werkzeug's threaded server with its own database connections
(not the test's rolled-back transaction), so each request is its own
transaction, exactly as in production; on PostgreSQL the tenant is removed
afterwards, on SQLite (the demo) the database is the test's own copy.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions.models import Draft
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import User
from tests import servers
from tests.live_server import serving
from tests.peers.forms import submit_form
from tests.submissions.html_forms import step_values
from tests.submissions.test_concurrency import _remove_tenant
from tests.submissions.test_uploads import make_image

pytestmark = pytest.mark.sqlite

BAUM = "baumfaellung-antrag"
ANOTHER_WINDOW = "in einem anderen Fenster geändert"


@dataclass
class Site:
    app: Flask
    url: str
    slug: str
    tenant_id: uuid.UUID

    def open_drafts(self) -> list[Draft]:
        with self.app.app_context(), tenant_scope(self.tenant_id):
            return list(db.session.scalars(select(Draft).where(Draft.submitted_at.is_(None))))


@pytest.fixture
def site(make_app, settings, app_engine, test_database) -> Iterator[Site]:
    """A municipality offering the tree-felling form, served by a threaded server."""
    port = servers.free_port()
    public_url = f"http://127.0.0.1:{port}"
    own_connections = {"db_bind": app_engine} if test_database.is_postgres else {}
    app = make_app(
        settings=replace(settings, public_url=public_url, step_rate_limit="1000/minute"),
        **own_connections,
    )
    slug = f"parallel-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        formdefs.load_catalogue()
        prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        branding = tenants.Branding(contact_email="amt@parallel.example")
        tenant = tenants.create_tenant(slug, "Gemeinde Parallel", prefix, branding)
        with tenant_scope(tenant.id):
            formdefs.activate_form(tenant, formdefs.get_definition(BAUM))
        db.session.commit()
    try:
        with serving(app, port) as url:
            yield Site(app, url, slug, tenant.id)
    finally:
        if test_database.is_postgres:
            with app.app_context():  # the development login's issuer names this port
                issuer = f"{public_url}/dev-idp"
                users = db.session.scalars(select(User.id).where(User.issuer == issuer)).all()
            _remove_tenant(app_engine, tenant.id, *users)


def logged_in(site: Site) -> requests.Session:
    browser = requests.Session()
    provider = browser.get(f"{site.url}/login?next=/t/{site.slug}/", timeout=10)
    landed = submit_form(browser, provider, persona="erika")
    assert landed.url == f"{site.url}/t/{site.slug}/", landed.text[:2000]
    return browser


def at_once(count: int, request: Callable[[int], requests.Response]) -> list[requests.Response]:
    """``request(index)`` for every index on its own thread, all released together."""
    barrier = threading.Barrier(count)

    def released(index: int) -> requests.Response:
        barrier.wait(timeout=30)
        return request(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def same_person(browser: requests.Session) -> requests.Session:
    """Another connection of the same browser (one ``requests`` session per thread)."""
    tab = requests.Session()
    tab.cookies.update(browser.cookies)
    return tab


def test_ten_parallel_starts_leave_one_open_draft(site: Site) -> None:
    browser = logged_in(site)
    apply_url = f"{site.url}/t/{site.slug}/forms/{BAUM}/apply"

    answers = at_once(
        10,
        lambda _index: same_person(browser).get(apply_url, allow_redirects=False, timeout=60),
    )

    assert [answer.status_code for answer in answers] == [302] * 10
    (draft,) = site.open_drafts()
    assert {answer.headers["Location"].split("/")[-3] for answer in answers} == {str(draft.id)}


def test_eight_parallel_photo_posts_lose_no_photo_silently(site: Site) -> None:
    browser = logged_in(site)
    first = browser.get(f"{site.url}/t/{site.slug}/forms/{BAUM}/apply", timeout=10)
    trees_url = first.url.replace("/steps/antragsteller", "/steps/baeume")
    action, values = step_values(browser.get(trees_url, timeout=10).text)
    photo = make_image("PNG")

    def post_photo(index: int) -> requests.Response:
        typed = values.copy()
        typed["flurstueck"] = f"Flur 3, Flurstück 10{index}"
        typed["_action"] = "refresh"
        return same_person(browser).post(
            urljoin(trees_url, action),
            data=typed.to_dict(flat=False),
            files={"fotos": (f"baum-{index}.png", photo, "image/png")},
            timeout=60,
        )

    answers = at_once(8, post_photo)

    assert [answer.status_code for answer in answers] == [200] * 8
    (draft,) = site.open_drafts()
    kept = {photo["name"] for photo in draft.answers["fotos"]}
    told = [index for index, answer in enumerate(answers) if ANOTHER_WINDOW in answer.text]
    for index in told:  # what this window sent is on its page, to check and send again
        assert f"Flur 3, Flurstück 10{index}" in answers[index].text
    assert kept == {f"baum-{index}.png" for index in range(8)}
    assert len(told) == 7  # every page but the first was drawn before another one saved
    assert draft.revision == 8
    shown = browser.get(trees_url, timeout=10).text
    assert set(re.findall(r"baum-\d\.png", shown)) == kept
