"""``amtsweg tenants onboard FILE.yaml``: the documented example, twice, and bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amtsweg.cli import main
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Invitation, Tenant
from tests.images import png

EXAMPLE = re.search(
    r"```yaml\n(.*?)```",
    (Path(__file__).parent.parent / "docs" / "onboarding.md").read_text(encoding="utf-8"),
    re.DOTALL,
).group(1)


@pytest.fixture
def cli(app):
    formdefs.load_catalogue()
    db.session.commit()
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


@pytest.fixture
def example(tmp_path) -> Path:
    (tmp_path / "wappen-kleinheim.png").write_bytes(png())
    path = tmp_path / "gemeinden.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def _audit_count(tenant) -> int:
    with tenant_scope(tenant.id):
        return db.session.scalar(select(func.count(AuditEntry.id)))


def test_the_documented_example_onboards_and_a_second_run_changes_nothing(
    cli, example, settings
) -> None:
    first = cli("tenants", "onboard", str(example))
    assert first.exit_code == 0, first.output
    assert first.output.startswith("kleinheim: created, branding, coat of arms,")
    tenant = service.get_tenant("kleinheim")
    assert (tenant.municipality_key, tenant.state, tenant.is_live) == ("05315000", "05", False)
    assert tenant.colour == "#1f4e79"
    with tenant_scope(tenant.id):
        offered = {form.slug: form for form in formdefs.offered_forms(tenant)}
        invited = db.session.scalar(select(func.count(Invitation.id)))
    assert set(offered) == {"gewerbeanmeldung", "hundesteuer-anmeldung"}
    assert offered["gewerbeanmeldung"].tenant_form.fee_overrides == {"gebuehr": 3000}
    assert invited == 2
    assert len(list(settings.mail_outbox_dir.iterdir())) == 2
    entries = _audit_count(tenant)

    second = cli("tenants", "onboard", str(example))
    assert second.exit_code == 0, second.output
    assert second.output == "kleinheim: unchanged\n"
    assert _audit_count(tenant) == entries
    assert len(list(settings.mail_outbox_dir.iterdir())) == 2


def test_a_changed_file_changes_only_what_differs(cli, example) -> None:
    cli("tenants", "onboard", str(example))
    example.write_text(EXAMPLE.replace("gebuehr: 3000", "gebuehr: 3200"), encoding="utf-8")
    again = cli("tenants", "onboard", str(example))
    assert again.output == "kleinheim: form gewerbeanmeldung\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("municipality_key: 05315000", "municipality_key: 09315000"), "in Bayern (09)"),
        (("gebuehr: 3000", "gebuehr: 999999"), "gebuehr"),
        (("slug: gewerbeanmeldung", "slug: gibt-es-nicht"), "gibt-es-nicht"),
        (("go_live: no", "go_live: yes"), "kleinheim.example/impressum gibt es nicht"),
    ],
)
def test_a_problem_anywhere_leaves_no_tenant_of_the_file_behind(
    cli, example, change, message
) -> None:
    second_tenant = """
  - slug: vorort
    name: Gemeinde Vorort
    municipality_key: 05315001
    state: "05"
"""
    kleinheim = EXAMPLE.split("tenants:", 1)[1].split("\n", 1)[1].replace(*change)
    example.write_text("tenants:" + second_tenant + kleinheim, encoding="utf-8")
    result = cli("tenants", "onboard", str(example))
    assert result.exit_code == 1
    assert "kleinheim:" in result.output
    assert message in result.output
    assert db.session.scalar(select(func.count(Tenant.id))) == 0


def test_a_file_that_is_no_onboarding_file_is_refused_clearly(cli, tmp_path) -> None:
    path = tmp_path / "falsch.yaml"
    path.write_text("tenants:\n  - slug: ohne-rest\n", encoding="utf-8")
    result = cli("tenants", "onboard", str(path))
    assert result.exit_code == 1
    assert "municipality_key" in result.output
    assert "Missing data for required field" in result.output
