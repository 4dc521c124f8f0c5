"""In ``make demo`` a submitted application lands in var/deliveries/musterstadt/<reference>/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amtsweg.app import create_app
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants
from tests.submissions.test_service import FUND_ANSWERS


@pytest.mark.sqlite
def test_a_demo_submission_is_in_the_deliveries_folder_right_away(tmp_path: Path) -> None:
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

    settings = Settings(
        env="development",
        database_url=database,
        storage_dir=tmp_path / "f",
        mail_outbox_dir=tmp_path / "outbox",
        deliveries_dir=tmp_path / "deliveries",
        redis_url="",
    )
    with create_app({"settings": settings}).app_context():
        musterstadt = tenants.get_tenant("musterstadt")
        with tenant_scope(musterstadt.id):
            citizen = tenants.find_or_create_user("https://id.example", "erika", "Erika")
            form = formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")
            outcome = service.submit_answers(musterstadt, citizen, form, FUND_ANSWERS, locale="de")
            db.session.commit()
            reference = outcome.submission.reference

    folder = tmp_path / "deliveries" / "musterstadt" / reference
    assert sorted(path.name for path in folder.iterdir()) == [f"{reference}.pdf", "submission.json"]
    assert json.loads((folder / "submission.json").read_text())["reference"] == reference
