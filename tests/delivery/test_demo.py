"""In ``make demo`` a submitted application lands in var/deliveries/musterstadt/<reference>/."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amtsweg.app import create_app
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants
from tests.servers import free_port
from tests.submissions.test_service import FUND_ANSWERS


def demo_database(tmp_path: Path) -> dict[str, str]:
    """``make demo``'s database (no Redis); the environment that reaches it."""
    database = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    env = {**os.environ, "DATABASE_URL": database, "AMTSWEG_STORAGE_DIR": str(tmp_path / "f")}
    env.pop("REDIS_URL", None)
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run(
            [sys.executable, "-m", "amtsweg.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert "delivered into var/deliveries/musterstadt/" in done.stdout
    return env


def demo_submission(tmp_path: Path, env: dict[str, str], deliveries: Path) -> str:
    """A citizen submits in the demo; its delivery goes to ``deliveries``."""
    settings = Settings(
        env="development",
        database_url=env["DATABASE_URL"],
        storage_dir=tmp_path / "f",
        mail_outbox_dir=tmp_path / "outbox",
        deliveries_dir=deliveries,
        redis_url="",
    )
    with create_app({"settings": settings}).app_context():
        musterstadt = tenants.get_tenant("musterstadt")
        with tenant_scope(musterstadt.id):
            citizen = tenants.find_or_create_user("https://id.example", "erika", "Erika")
            form = formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")
            outcome = service.submit_answers(musterstadt, citizen, form, FUND_ANSWERS, locale="de")
            db.session.commit()
            return outcome.submission.reference


@pytest.mark.sqlite
def test_a_demo_submission_is_in_the_deliveries_folder_right_away(tmp_path: Path) -> None:
    env = demo_database(tmp_path)

    reference = demo_submission(tmp_path, env, tmp_path / "deliveries")

    folder = tmp_path / "deliveries" / "musterstadt" / reference
    assert sorted(path.name for path in folder.iterdir()) == [f"{reference}.pdf", "submission.json"]
    assert json.loads((folder / "submission.json").read_text())["reference"] == reference


@pytest.mark.sqlite
def test_the_demo_server_sends_a_failed_delivery_again_without_a_worker(tmp_path: Path) -> None:
    env = demo_database(tmp_path)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("the folder target cannot write below a file")
    reference = demo_submission(tmp_path, env, blocked)
    with sqlite3.connect(tmp_path / "demo.sqlite") as connection:
        # The retry's pause is over, as if a minute had passed.
        connection.execute(
            "UPDATE outbox_messages SET next_attempt_at = '2000-01-01 00:00:00.000000' "
            "WHERE status = 'pending'"
        )
    folder = tmp_path / "deliveries" / "musterstadt" / reference
    assert not folder.exists()

    server = subprocess.Popen(
        [sys.executable, "-m", "amtsweg.cli", "run", "--port", str(free_port())],
        env={
            **env,
            "AMTSWEG_DELIVERIES_DIR": str(tmp_path / "deliveries"),
            "AMTSWEG_MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
            "AMTSWEG_SWEEP_SECONDS": "1",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not folder.exists() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert folder.exists(), errors
    assert (folder / "submission.json").exists()
