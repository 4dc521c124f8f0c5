"""The association's catalogue of form definitions, shipped as JSON files in the package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any


def catalogue_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, definition document) of every catalogue form, sorted by file name."""
    folder = resources.files("amtsweg.formdefs").joinpath("catalogue")
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".json"):
            yield entry.name, json.loads(entry.read_text("utf-8"))
