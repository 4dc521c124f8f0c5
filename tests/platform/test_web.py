"""The request handler every page stands on: what it keeps of an answer that refuses."""

from __future__ import annotations

import uuid

import pytest

from amtsweg.platform.db import db
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


@pytest.fixture
def site(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)  # a bare POST: the handler is what is tested
    app.add_url_rule("/answer/<status>", view_func=WritesThenAnswers.as_view("answers"))
    app.add_url_rule("/kept/<status>", view_func=KeepsWritesOnError.as_view("kept"))
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
