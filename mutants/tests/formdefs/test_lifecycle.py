"""Versions go draft → published (immutable) → retired; the catalogue loads idempotently."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from amtsweg.formdefs import service
from amtsweg.formdefs.engine import catalogue_documents
from amtsweg.formdefs.models import VersionState
from amtsweg.platform.db import db
from tests.formdefs.builders import document, field

CATALOGUE_SIZE = len(list(catalogue_documents()))


@pytest.fixture
def published(app):
    version = service.publish(service.create_definition(document(field("name", "text"))))
    db.session.commit()
    return version


@pytest.mark.sqlite
def test_catalogue_load_publishes_every_form_once(app) -> None:
    first = service.load_catalogue()
    db.session.commit()
    assert CATALOGUE_SIZE >= 8
    assert {change.outcome for change in first} == {"created"}
    assert len(service.list_definitions()) == CATALOGUE_SIZE
    again = service.load_catalogue()
    assert {change.outcome for change in again} == {"unchanged"}
    for definition in service.list_definitions():
        assert [v.state for v in definition.versions] == [VersionState.PUBLISHED]


def test_a_changed_catalogue_form_gets_a_new_published_version(app, published) -> None:
    changed = copy.deepcopy(published.document)
    changed["title"] = {"de": "Neu", "en": "New"}
    service._load_document(changed)
    db.session.commit()
    definition = service.get_definition("test-form")
    assert [(v.number, v.state) for v in definition.versions] == [
        (1, VersionState.RETIRED),
        (2, VersionState.PUBLISHED),
    ]
    assert published.document["title"] == {"de": "Text", "en": "Text"}


def test_a_published_version_cannot_change(app, published) -> None:
    with pytest.raises(service.ImmutableVersionError):
        service.update_draft(published, published.document)
    draft = service.create_draft(published.definition)
    assert (draft.number, draft.state) == (2, VersionState.DRAFT)
    with pytest.raises(service.ImmutableVersionError, match="hat bereits einen Entwurf"):
        service.create_draft(published.definition)


def test_the_database_refuses_changes_to_a_published_version(app, published) -> None:
    with pytest.raises(DBAPIError, match="cannot change"), db.session.begin_nested():
        db.session.execute(
            text("UPDATE form_versions SET document = '{}' WHERE id = :id"), {"id": published.id}
        )


def test_publishing_retires_the_previous_version(app, published) -> None:
    draft = service.create_draft(published.definition)
    service.publish(draft)
    assert published.state is VersionState.RETIRED
    assert service.published_version(published.definition) is draft
    with pytest.raises(service.ImmutableVersionError):
        service.publish(draft)


def test_an_invalid_definition_is_rejected_with_paths(app) -> None:
    bad = document(field("name", "hologram"))
    with pytest.raises(service.InvalidDefinitionError) as rejected:
        service.create_definition(bad)
    assert [p.pointer for p in rejected.value.problems] == ["/steps/0/fields/0/type"]
    assert service.list_definitions() == []


def test_a_draft_must_keep_its_slug(app, published) -> None:
    renamed = {**published.document, "slug": "other"}
    with pytest.raises(service.InvalidDefinitionError) as rejected:
        service.create_draft(published.definition, renamed)
    assert rejected.value.problems[0].pointer == "/slug"
