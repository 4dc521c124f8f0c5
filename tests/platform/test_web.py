"""The request handler every page stands on: what it keeps of an answer that refuses."""

from __future__ import annotations

import uuid

import pytest

from amtsweg.platform.db import db
from amtsweg.platform.errors import Conflict
from amtsweg.platform.web import RequestHandler
from amtsweg.tenants import service as tenants


class WritesThenAnswers(RequestHandler):
    """Writes a municipality, then answers with the status the URL names."""

    def post(self) -> tuple[str, int]:
        slug = f"antwort-{uuid.uuid4().hex[:8]}"
        tenants.create_tenant(slug, "Gemeinde Antwort", "ANTWORT")
        db.session.flush()
        return slug, int(self.status)

    def _process_args(self, status: str) -> None:
        self.status = status


class KeepsWritesOnError(WritesThenAnswers):
    keeps_writes_on_error = True


class WritesThenRefuses(RequestHandler):
    """Writes a municipality, then refuses; the refusal says whether the write stands."""

    def post(self) -> None:
        tenants.create_tenant(self.slug, "Gemeinde Absage", "ABSAGE")
        db.session.flush()
        refusal = Conflict("Nicht ausgeführt")
        refusal.keeps_writes = self.keeps
        raise refusal

    def _process_args(self, slug: str, keeps: str) -> None:
        self.slug, self.keeps = slug, keeps == "keeps"


@pytest.fixture
def site(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)  # a bare POST: the handler is what is tested
    app.add_url_rule("/answer/<status>", view_func=WritesThenAnswers.as_view("answers"))
    app.add_url_rule("/kept/<status>", view_func=KeepsWritesOnError.as_view("kept"))
    app.add_url_rule("/refused/<slug>/<keeps>", view_func=WritesThenRefuses.as_view("refused"))
    with app.app_context():
        yield app.test_client()


@pytest.mark.parametrize(("status", "kept"), [(200, True), (303, True), (409, False), (422, False)])
def test_an_error_answer_keeps_nothing_a_success_keeps_everything(site, status, kept) -> None:
    response = site.post(f"/answer/{status}")
    assert response.status_code == status
    db.session.rollback()  # read what the request committed, not what it left in the session
    assert (tenants.find_tenant(response.get_data(as_text=True)) is not None) is kept


def test_a_handler_that_keeps_its_writes_on_an_error_answer_says_so(site) -> None:
    response = site.post("/kept/422")
    assert response.status_code == 422
    db.session.rollback()
    assert tenants.find_tenant(response.get_data(as_text=True)) is not None


@pytest.mark.parametrize(("keeps", "kept"), [("keeps", True), ("drops", False)])
def test_a_refusal_that_reports_what_was_done_keeps_it(site, keeps, kept) -> None:
    slug = f"absage-{uuid.uuid4().hex[:8]}"
    response = site.post(f"/refused/{slug}/{keeps}")
    assert response.status_code == 409
    assert "Nicht ausgeführt" in response.get_data(as_text=True)
    db.session.rollback()
    assert (tenants.find_tenant(slug) is not None) is kept
