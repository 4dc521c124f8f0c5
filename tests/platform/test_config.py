"""Settings come from the environment; production refuses unsafe ones."""

from __future__ import annotations

import pytest

from amtsweg.app import create_app
from amtsweg.platform.config import ConfigError, Settings

SAFE_PRODUCTION = {
    "AMTSWEG_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql+psycopg://amtsweg@db/amtsweg",
    "AMTSWEG_SMTP_URL": "smtps://amtsweg:pw@mail.example:465",
    "AMTSWEG_MAIL_FROM": "Gemeinde Musterstadt <noreply@musterstadt.de>",
    "AMTSWEG_PUBLIC_URL": "https://formulare.example",
    "AMTSWEG_OIDC_ISSUER": "https://id.example",
    "AMTSWEG_OIDC_CLIENT_SECRET": "s" * 32,
    "REDIS_URL": "redis://redis:6379/0",
    "AMTSWEG_PAYMENT_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    "AMTSWEG_DELIVERY_KEYS": "8d0Qd2Q1ZJ9Wm7e2t9x0a1b2c3d4e5f6g7h8i9j0k1A=",
}


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://a@b/c",
            "REDIS_URL": "redis://r:6379/1",
            "AMTSWEG_DEV_LOGIN": "false",
            "AMTSWEG_MAX_REQUEST_BYTES": "1024",
        }
    )
    assert settings.database_url == "postgresql+psycopg://a@b/c"
    assert settings.redis_url == "redis://r:6379/1"
    assert settings.dev_login is False
    assert settings.max_request_bytes == 1024
    assert settings.migration_url == settings.database_url


def test_production_with_safe_settings_starts() -> None:
    settings = Settings.from_env(SAFE_PRODUCTION)
    assert settings.problems() == []
    assert settings.dev_login is False
    assert settings.sandbox_payments is False


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is missing or shorter"),
        ({"DATABASE_URL": "sqlite:///var/a.sqlite"}, "production needs PostgreSQL"),
        ({"AMTSWEG_DEV_LOGIN": "true"}, "development login must never run in production"),
        ({"AMTSWEG_SANDBOX_PAYMENTS": "true"}, "test cards must never pay a fee"),
        ({"AMTSWEG_OIDC_ISSUER": ""}, "AMTSWEG_OIDC_ISSUER must name the OpenID provider"),
        ({"AMTSWEG_OIDC_ISSUER": "http://id.example"}, "by an https:// URL"),
        ({"AMTSWEG_OIDC_CLIENT_SECRET": ""}, "AMTSWEG_OIDC_CLIENT_SECRET is missing"),
        ({"AMTSWEG_PUBLIC_URL": "http://formulare.example"}, "AMTSWEG_PUBLIC_URL must be"),
        ({"AMTSWEG_OIDC_ACR_MAP": "urn:x=very-high"}, "not: urn:x=very-high"),
        ({"REDIS_URL": ""}, "REDIS_URL is missing"),
    ],
)
def test_production_refuses_each_unsafe_setting(change: dict[str, str], expected: str) -> None:
    settings = Settings.from_env({**SAFE_PRODUCTION, **change})
    with pytest.raises(ConfigError) as refused:
        create_app({"settings": settings})
    assert expected in str(refused.value)
    assert len(refused.value.problems) == 1


def test_every_problem_is_reported_at_once() -> None:
    settings = Settings.from_env(
        {"AMTSWEG_ENV": "production", "DATABASE_URL": "sqlite://", "AMTSWEG_DEV_LOGIN": "1"}
    )
    # secret, SQLite, dev login, issuer, client, URL, Redis, payment keys, delivery keys,
    # SMTP URL, sender
    assert len(settings.problems()) == 11


def test_unknown_environment_is_refused() -> None:
    assert Settings.from_env({"AMTSWEG_ENV": "staging"}).problems() == [
        "AMTSWEG_ENV must be one of development, test, production, not 'staging'."
    ]


def test_the_development_login_serves_when_no_provider_is_configured() -> None:
    settings = Settings.from_env({"AMTSWEG_PUBLIC_URL": "http://localhost:8000"})
    assert settings.login_issuer == "http://localhost:8000/dev-idp"
    configured = Settings.from_env({"AMTSWEG_OIDC_ISSUER": "https://id.example"})
    assert configured.login_issuer == "https://id.example"
    assert Settings.from_env({"AMTSWEG_DEV_LOGIN": "0"}).login_issuer == ""


def test_the_acr_mapping_can_be_configured() -> None:
    settings = Settings.from_env({"AMTSWEG_OIDC_ACR_MAP": "urn:a=basic, urn:b=high"})
    assert settings.problems() == []


@pytest.mark.parametrize("name", ["AMTSWEG_PAYMENT_KEYS", "AMTSWEG_DELIVERY_KEYS"])
def test_production_needs_valid_keys_for_stored_secrets(name: str) -> None:
    missing = Settings.from_env({**SAFE_PRODUCTION, name: ""})
    assert any(name in problem for problem in missing.problems())
    broken = Settings.from_env({**SAFE_PRODUCTION, name: "not-a-key"})
    assert any(name in problem and "Fernet" in problem for problem in broken.problems())
