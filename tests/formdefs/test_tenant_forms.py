"""Tenants choose from the catalogue, set fees within the allowed range, and list them."""

from __future__ import annotations

import pytest

from amtsweg.formdefs import service
from amtsweg.platform.db import db, tenant_scope


@pytest.fixture
def catalogue(app):
    service.load_catalogue()
    db.session.commit()


@pytest.fixture
def musterstadt(create_tenant, catalogue):
    tenant = create_tenant("musterstadt", "Gemeinde Musterstadt", contact_email="a@b.example")
    with tenant_scope(tenant.id):
        for slug in ("gewerbeanmeldung", "hundesteuer-anmeldung", "sperrmuell-anmeldung"):
            service.activate_form(tenant, service.get_definition(slug))
        db.session.commit()
        yield tenant


@pytest.mark.sqlite
def test_the_start_page_lists_offered_forms_with_fees(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Gewerbeanmeldung" in page
    assert "26,00\xa0€" in page
    assert "Anmeldung zur Hundesteuer" in page
    assert "Festsetzung später per Bescheid" in page
    assert "kostenlos" in page
    assert "Bewohnerparkausweis" not in page  # in the catalogue, not offered here


def test_english_start_page(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Business registration" in page
    assert "€26.00" in page
    assert "Free of charge" in page


def test_search_and_topic_filter(client, musterstadt) -> None:
    found = client.get("/t/musterstadt/?q=hund").get_data(as_text=True)
    assert "Hundesteuer" in found
    assert "Gewerbeanmeldung" not in found
    by_topic = client.get("/t/musterstadt/?topic=gewerbe").get_data(as_text=True)
    assert "Gewerbeanmeldung" in by_topic
    assert "Hundesteuer" not in by_topic
    nothing = client.get("/t/musterstadt/?q=zeppelin").get_data(as_text=True)
    assert "Kein Formular passt" in nothing


def test_a_tenant_fee_override_is_shown_and_bounded(client, musterstadt) -> None:
    definition = service.get_definition("gewerbeanmeldung")
    service.activate_form(musterstadt, definition, fee_overrides={"gebuehr": 3500})
    db.session.commit()
    assert "35,00\xa0€" in client.get("/t/musterstadt/").get_data(as_text=True)
    with pytest.raises(service.FormDefError):
        service.activate_form(musterstadt, definition, fee_overrides={"gebuehr": 999_999})
    with pytest.raises(service.FormDefError):
        service.activate_form(musterstadt, definition, fee_overrides={"gebuehr": 12.5})


def test_the_form_start_page_says_what_to_expect(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/forms/gewerbeanmeldung/").get_data(as_text=True)
    assert "<h1" in page
    assert "26,00\xa0€" in page
    assert "Datenschutz" in page
    assert "Angaben zum Betrieb" in page  # a step title
    assert "Hochzuladende Unterlagen" in page
    assert "Aufenthaltstitel" in page  # an upload asked for only after certain answers
    assert "(nur wenn es auf Sie zutrifft)" in page


def test_forms_not_offered_are_404(client, musterstadt, create_tenant) -> None:
    create_tenant("beispieldorf")
    assert client.get("/t/musterstadt/forms/bewohnerparkausweis/").status_code == 404
    assert client.get("/t/musterstadt/forms/nothing/").status_code == 404
    assert client.get("/t/beispieldorf/forms/gewerbeanmeldung/").status_code == 404


def test_a_deactivated_form_disappears(client, musterstadt) -> None:
    service.deactivate_form(musterstadt, service.get_definition("gewerbeanmeldung"))
    db.session.commit()
    assert "Gewerbeanmeldung" not in client.get("/t/musterstadt/").get_data(as_text=True)
    assert client.get("/t/musterstadt/forms/gewerbeanmeldung/").status_code == 404


def test_a_form_goes_to_the_default_targets_unless_it_names_existing_ones(musterstadt) -> None:
    definition = service.get_definition("gewerbeanmeldung")
    form = service.find_tenant_form(musterstadt, definition)
    assert form.delivery_targets == []
    with pytest.raises(service.FormDefError, match="kein Zustellziel namens 'ftp'"):
        service.activate_form(musterstadt, definition, delivery_targets=["ftp"])
