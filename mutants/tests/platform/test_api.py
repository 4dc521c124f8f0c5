"""The API's contract document, its error shape, and the metrics endpoint."""

from __future__ import annotations

import pytest

from amtsweg.platform.api import pointer_errors


@pytest.mark.sqlite
def test_openapi_document_is_served(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_validation_messages_become_json_pointers() -> None:
    messages = {"json": {"answers": {"dogs": {"1": {"breed": ["Required."]}}, "a/b": ["Bad."]}}}
    assert pointer_errors(messages) == [
        {"pointer": "/answers/dogs/1/breed", "detail": "Required."},
        {"pointer": "/answers/a~1b", "detail": "Bad."},
    ]


def test_metrics_count_requests_by_endpoint_not_path(client, create_tenant) -> None:
    create_tenant("musterstadt")
    client.get("/t/musterstadt/")
    client.get("/t/nirgendwo/")
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        'amtsweg_http_requests_total{endpoint="forms.index",method="GET",status="200"} 1.0' in text
    )
    assert (
        'amtsweg_http_requests_total{endpoint="forms.index",method="GET",status="404"} 1.0' in text
    )
    assert "musterstadt" not in text
