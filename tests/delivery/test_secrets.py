"""Targets' passwords and shared secrets are encrypted at rest, and their keys can rotate."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from amtsweg.app import create_app
from amtsweg.cli import main
from amtsweg.delivery import service as delivery
from amtsweg.platform import migrations
from amtsweg.platform.db import TENANT_SETTING, db, tenant_scope
from tests.conftest import scratch_postgres
from tests.delivery.test_admin import API, bearer

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
WEBHOOK_SECRET = "webhook-geheimnis-0815-4711"
DMS_PASSWORD = "dms-passwort-9876-xyz"


@pytest.fixture
def settings(settings):
    return replace(settings, delivery_keys=OLD_KEY)


def stored_rows() -> str:
    """What the database holds for the tenant's targets, as text."""
    rows = db.session.execute(text("SELECT CAST(config AS text), secrets FROM delivery_targets"))
    return " ".join(f"{config} {secrets}" for config, secrets in rows)


def test_the_database_holds_no_secret_in_plain_text(app, client, musterstadt) -> None:
    admin = bearer(app, "tenant_admin")
    targets = {
        "fachverfahren": ("webhook", {"url": "https://f.example/in", "secret": WEBHOOK_SECRET}),
        "dms": (
            "cmis",
            {"url": "https://dms.example/cmis", "username": "amtsweg", "password": DMS_PASSWORD},
        ),
    }
    for name, (kind, config) in targets.items():
        saved = client.put(
            f"{API}/targets/{name}", json={"kind": kind, "config": config}, headers=admin
        )
        assert saved.status_code == 200, saved.json

    stored = stored_rows()
    assert "https://f.example/in" in stored
    assert WEBHOOK_SECRET not in stored
    assert DMS_PASSWORD not in stored
    dms = delivery.find_target(musterstadt, "dms")
    assert delivery.settings_of(dms)["password"] == DMS_PASSWORD
    assert client.get(f"{API}/targets/dms", headers=admin).json["config"]["password"] == "********"


def test_after_rotation_only_the_new_key_is_needed(make_app, settings, musterstadt) -> None:
    delivery.save_target(
        musterstadt,
        "fachverfahren",
        "webhook",
        {"url": "https://f.example/in", "secret": WEBHOOK_SECRET},
    )
    db.session.commit()

    both = make_app(settings=replace(settings, delivery_keys=f"{NEW_KEY},{OLD_KEY}"))
    result = both.test_cli_runner().invoke(main, ["delivery", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "musterstadt: 1 target(s) re-encrypted" in result.output

    for keys, readable in ((NEW_KEY, True), (OLD_KEY, False)):
        app = make_app(settings=replace(settings, delivery_keys=keys))
        with app.app_context(), tenant_scope(musterstadt.id):
            target = delivery.find_target(musterstadt, "fachverfahren")
            if readable:
                assert delivery.settings_of(target)["secret"] == WEBHOOK_SECRET
            else:
                with pytest.raises(RuntimeError, match="cannot be decrypted"):
                    delivery.settings_of(target)


def test_the_migration_encrypts_secrets_stored_before(settings) -> None:
    with scratch_postgres(settings) as (scratch, _admin_url):
        owner_url = scratch.migration_url
        with create_app({"settings": scratch}).app_context():
            migrations.upgrade(revision="0011")
            tenant_id = _plaintext_target(owner_url)
            migrations.upgrade()
            engine = create_engine(owner_url)
            with engine.begin() as connection:
                connection.execute(
                    text("SELECT set_config(:name, :tenant, true)"),
                    {"name": TENANT_SETTING, "tenant": str(tenant_id)},
                )
                config, secrets = connection.execute(
                    text("SELECT CAST(config AS text), secrets FROM delivery_targets")
                ).one()
            engine.dispose()
            assert "https://f.example/in" in config
            assert WEBHOOK_SECRET not in config + secrets
            assert delivery.VAULT.decrypt(secrets) == {"secret": WEBHOOK_SECRET}


def _plaintext_target(owner_url: str) -> uuid.UUID:
    """A tenant with a webhook target as revision 0011 stored it: the secret in the config."""
    tenant_id = uuid.uuid4()
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(
            text("SELECT set_config(:name, :tenant, true)"),
            {"name": TENANT_SETTING, "tenant": str(tenant_id)},
        )
        connection.execute(
            text(
                "INSERT INTO tenants (id, slug, name, reference_prefix, enabled, colour, "
                "created_at) VALUES (:id, 'altstadt', 'Altstadt', 'ALT', true, '#000000', now())"
            ),
            {"id": tenant_id},
        )
        connection.execute(
            text(
                'INSERT INTO delivery_targets (tenant_id, id, name, kind, config, "default", '
                "enabled, created_at) VALUES (:tenant, :id, 'fach', 'webhook', "
                "CAST(:config AS jsonb), true, true, now())"
            ),
            {
                "tenant": tenant_id,
                "id": uuid.uuid4(),
                "config": f'{{"url": "https://f.example/in", "secret": "{WEBHOOK_SECRET}"}}',
            },
        )
    engine.dispose()
    return tenant_id
