"""The chart in ``helm/amtsweg`` rendered by Helm itself.

Helm's Go SDK (v4) is called through ``helm-python-sdk``, whose wheel carries
``libhelm_c``: the real template engine, Sprig functions, values coalescing
and ``values.schema.json`` validation, without a ``helm`` binary. Values are
checked against the schema before rendering, as ``helm template`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "amtsweg"
VALUES_FILES = sorted((CHART / "ci").glob("*-values.yaml"))
REJECTED_VALUES_FILES = sorted((Path(__file__).parent / "rejected").glob("*.yaml"))
RELEASE = "amtsweg"
NAMESPACE = "amtsweg"


def load_values(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


@contextmanager
def loaded_chart() -> Iterator[helm.Chart]:
    with helm.Chart.load(str(CHART)) as chart:
        yield chart


def render(values: dict[str, Any], *, upgrade: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every object the chart renders for ``values``, by template file."""
    with loaded_chart() as chart:
        chart.validate_schema(values)
        manifests = chart.render(
            values,
            name=RELEASE,
            namespace=NAMESPACE,
            revision=2 if upgrade else 1,
            is_install=not upgrade,
            is_upgrade=upgrade,
        )
    return {
        template: [doc for doc in yaml.safe_load_all(text) if doc]
        for template, text in sorted(manifests.items())
    }


def objects(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [obj for docs in render(values).values() for obj in docs]


def find(rendered: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in rendered if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind} {name}: {len(matches)} rendered"
    return matches[0]


def engine_versions() -> str:
    return f"Helm {helm.helm_sdk_version()} (libhelm_c {helm.helm_c_version()})"
