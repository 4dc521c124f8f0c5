"""``make helm-check``: render the chart with Helm, validate every object, police it.

For each values file in ``helm/amtsweg/ci/``: ``helm lint``, the values
schema, a render by Helm's own engine, and every rendered object against the
Kubernetes OpenAPI schemas (``kubernetes-validate``, strict: unknown fields
are errors) of the oldest supported and the newest known version. Every values
file in ``tests/helm/rejected/`` must be refused by the schema. Then checkov's
Kubernetes policies run over all rendered manifests. Prints each object it
validated and each skipped policy with its reason; exits non-zero if anything
failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import helm_python as helm
import kubernetes_validate
import yaml

from tests.helm.chart import (
    CHART,
    REJECTED_VALUES_FILES,
    VALUES_FILES,
    engine_versions,
    load_values,
    loaded_chart,
    render,
)

# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas known.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
LINT_WARNING = 2  # helm lint's severities: 1 info, 2 warning, 3 error


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkov", required=True, help="the checkov executable")
    checkov = Path(parser.parse_args().checkov)
    if not checkov.exists():
        click.echo(f"helm-check: {checkov} is missing (make helm-check installs it)")
        return 1
    schemas = " and ".join(KUBERNETES_VERSIONS)
    click.echo(f"helm-check: {engine_versions()}; Kubernetes schemas {schemas}")
    problems: list[str] = []
    count = 0
    with tempfile.TemporaryDirectory() as rendered_dir:
        for values_file in VALUES_FILES:
            count += _check_values_file(values_file, Path(rendered_dir), problems)
        problems += _check_rejected()
        if not problems:
            problems += _run_checkov(checkov, Path(rendered_dir))
    for problem in problems:
        click.echo(f"FAILED {problem}")
    verdict = "failed" if problems else "passed"
    files = len(VALUES_FILES)
    click.echo(f"helm-check: {count} objects from {files} values files validated; {verdict}")
    return 1 if problems else 0


def _check_values_file(values_file: Path, rendered_dir: Path, problems: list[str]) -> int:
    values = load_values(values_file)
    click.echo(f"{values_file.relative_to(CHART)}:")
    lint = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBERNETES_VERSIONS[0]}")
    for message in lint["messages"]:
        if message["severity"] < LINT_WARNING:
            click.echo(f"  helm lint note: {message['path']}: {message['error']}")
            continue
        problems.append(f"helm lint {values_file.name}: {message['path']}: {message['error']}")
    try:
        rendered = render(values)
    except helm.HelmError as error:
        problems.append(f"{values_file.name}: {error}")
        return 0
    count = 0
    manifests = []
    for template, docs in rendered.items():
        for obj in docs:
            count += 1
            label = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"
            if invalid := _schema_problems(obj):
                problems += [f"{values_file.name} {template}: {label}: {p}" for p in invalid]
                continue
            click.echo(f"  valid  {obj['apiVersion']:<24} {label}")
            manifests.append(obj)
    out = rendered_dir / f"{values_file.stem}.yaml"
    out.write_text(yaml.safe_dump_all(manifests, sort_keys=False))
    return count


def _schema_problems(obj: dict[str, Any]) -> list[str]:
    problems = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"Kubernetes {version}: {error.message}")
    return problems


def _check_rejected() -> list[str]:
    problems = []
    with loaded_chart() as chart:
        for values_file in REJECTED_VALUES_FILES:
            try:
                chart.validate_schema(load_values(values_file))
            except helm.HelmValuesError as error:
                reason = str(error).splitlines()[1].strip() if "\n" in str(error) else str(error)
                click.echo(f"  refused values {values_file.name}: {reason}")
                continue
            problems.append(f"values.schema.json accepts {values_file.name}")
    return problems


def _run_checkov(checkov: Path, rendered_dir: Path) -> list[str]:
    result = subprocess.run(
        [
            str(checkov),
            "--directory",
            str(rendered_dir),
            "--framework",
            "kubernetes",
            "--output",
            "json",
            "--compact",
            "--soft-fail",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"checkov gave no report: {result.stderr.strip()[-2000:]}"]
    reports = reports if isinstance(reports, list) else [reports]
    passed = failed = 0
    skipped: dict[str, tuple[str, set[str]]] = {}
    problems = []
    for report in reports:
        passed += report["summary"]["passed"]
        results = report["results"]
        for check in results.get("failed_checks", []):
            failed += 1
            check_id, name, resource = check["check_id"], check["check_name"], check["resource"]
            problems.append(f"checkov {check_id} {name}: {resource}")
        for check in results.get("skipped_checks", []):
            reason = (check.get("check_result") or {}).get("suppress_comment", "")
            skipped.setdefault(check["check_id"], (reason, set()))[1].add(check["resource"])
    for check_id, (reason, resources) in sorted(skipped.items()):
        click.echo(f"  checkov skipped {check_id} for {', '.join(sorted(resources))}: {reason}")
    skipped_count = sum(len(resources) for _, resources in skipped.values())
    click.echo(f"checkov: {passed} passed, {failed} failed, {skipped_count} skipped (per object)")
    return problems


if __name__ == "__main__":
    sys.exit(main())
