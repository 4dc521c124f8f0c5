"""The ``amtsweg`` console script, driven as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amtsweg.cli import main
from amtsweg.tenants import service
from tests.images import png
from tests.platform.test_config import SAFE_PRODUCTION

PNG = png()


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


@pytest.mark.sqlite
def test_tenants_create_list_disable_enable(cli, client) -> None:
    created = cli("tenants", "create", "musterstadt", "Gemeinde Musterstadt", "--prefix", "MUS")
    assert created.exit_code == 0, created.output
    assert "Created tenant musterstadt" in created.output
    listed = cli("tenants", "list")
    assert "musterstadt\tMUS\tenabled\tGemeinde Musterstadt" in listed.output
    assert cli("tenants", "disable", "musterstadt").exit_code == 0
    assert "disabled" in cli("tenants", "list").output
    assert client.get("/t/musterstadt/").status_code == 503
    assert cli("tenants", "enable", "musterstadt").exit_code == 0
    assert client.get("/t/musterstadt/").status_code == 200


def test_tenants_brand_sets_contact_colour_and_coat_of_arms(cli, client, tmp_path) -> None:
    arms = tmp_path / "wappen.png"
    arms.write_bytes(PNG)
    cli("tenants", "create", "musterstadt", "Gemeinde Musterstadt")
    branded = cli(
        "tenants", "brand", "musterstadt", "--colour", "#00468C",
        "--contact-phone", "+49 1234 5678", "--coat-of-arms", str(arms),
    )  # fmt: skip
    assert branded.exit_code == 0, branded.output
    assert client.get("/t/musterstadt/coat-of-arms").data == PNG
    assert "#00468c" in client.get("/t/musterstadt/branding.css").get_data(as_text=True)
    assert "+49 1234 5678" in client.get("/t/musterstadt/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tenants", "create", "Muster Stadt", "X"), "kein gültiger Kurzname"),
        (("tenants", "create", "musterstadt", "X", "--colour", "#ffff00"), "Kontrast"),
        (
            ("tenants", "create", "musterstadt", "X", "--imprint-url", "javascript:x"),
            "keine Webadresse",
        ),
        (("tenants", "disable", "nirgendwo"), "Es gibt keine Kommune"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(cli, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert service.list_tenants() == []


def test_a_duplicate_slug_or_prefix_is_refused(cli) -> None:
    cli("tenants", "create", "musterstadt", "Gemeinde Musterstadt", "--prefix", "MUS")
    assert "gibt es bereits" in cli("tenants", "create", "musterstadt", "Y").output
    assert "ist vergeben" in cli("tenants", "create", "muster", "Y", "--prefix", "MUS").output


def test_a_coat_of_arms_that_is_no_image_is_refused(cli, tmp_path) -> None:
    fake = tmp_path / "wappen.png"
    fake.write_bytes(b"<svg onload=alert(1)>")
    result = cli("tenants", "create", "musterstadt", "X", "--coat-of-arms", str(fake))
    assert result.exit_code == 1
    assert "PNG-, JPEG- oder WebP-Bild" in result.output
    assert service.list_tenants() == []


def test_the_demo_is_refused_in_production() -> None:
    """Its municipalities would be public, and their sandbox would take test cards as pay."""
    env = {**os.environ, **SAFE_PRODUCTION, "DATABASE_URL": "postgresql+psycopg://a@db.invalid/a"}
    demo = [sys.executable, "-m", "amtsweg.cli", "demo"]
    done = subprocess.run(demo, check=False, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "this is production (AMTSWEG_ENV)" in done.stderr
    assert "db.invalid" not in done.stderr  # refused before the database was asked anything


@pytest.mark.sqlite
def test_the_demo_flow_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    """What `make demo` runs, as separate processes: migrate, load, load again."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
        "AMTSWEG_STORAGE_DIR": str(tmp_path / "files"),
    }
    env.pop("REDIS_URL", None)
    amtsweg = [sys.executable, "-m", "amtsweg.cli"]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*amtsweg, *args], check=False, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("db", "upgrade")
    assert "Created the demo tenant musterstadt" in run("demo")
    assert "is there already" in run("demo")
    tenants = run("tenants", "list")
    assert "musterstadt\tMUS\tenabled\tGemeinde Musterstadt" in tenants
    assert "beispieldorf\tBSP\tenabled\tGemeinde Beispieldorf" in tenants
    assert "forms.index" in run("routes")
