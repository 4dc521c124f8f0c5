"""Typed settings read from the environment.

Every setting has one environment variable and one default that suits
``make demo``. ``AMTSWEG_ENV=production`` turns the defaults that are only
safe on a developer's machine into errors (see :meth:`Settings.problems`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from limits import parse_many

from amtsweg.platform.auth.trust import AcrMapping
from amtsweg.platform.mail import mail_problems

ENVIRONMENTS = ("development", "test", "production")
DEV_LOGIN_PATH = "/dev-idp"
# Shared by the development provider and the platform when no secret is set; never in production.
DEV_CLIENT_SECRET = "development-only-client-secret"  # noqa: S105


class ConfigError(RuntimeError):
    """The settings are unsafe or incomplete; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Amtsweg cannot start:\n" + "\n".join(f"- {p}" for p in problems))


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """The platform's settings; build them with :meth:`from_env`."""

    env: str = field(default="development", metadata={"env": "AMTSWEG_ENV"})
    secret_key: str = field(default="", metadata={"env": "SECRET_KEY"})
    database_url: str = field(
        default="sqlite:///var/amtsweg.sqlite", metadata={"env": "DATABASE_URL"}
    )
    database_owner_url: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_DATABASE_OWNER_URL",
            "doc": "Connection that owns the tables and runs migrations; defaults to DATABASE_URL.",
        },
    )
    database_app_role: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_DATABASE_APP_ROLE",
            "doc": "PostgreSQL role the app connects as; migrations grant it "
            "row access (it must own no table and lack BYPASSRLS).",
        },
    )
    redis_url: str = field(default="", metadata={"env": "REDIS_URL"})
    sweep_seconds: int = field(
        default=30,
        metadata={
            "env": "AMTSWEG_SWEEP_SECONDS",
            "doc": "How often `amtsweg worker` (or `amtsweg run` without Redis) enqueues "
            "outbox messages that are due "
            "(after a Redis outage, a lost job or a retry's pause).",
        },
    )
    deliveries_dir: Path | None = field(
        default=Path("var/deliveries"),
        metadata={
            "env": "AMTSWEG_DELIVERIES_DIR",
            "doc": "Where the folder delivery target writes (one directory per tenant); "
            "in production only where set, else the folder target is not offered.",
        },
    )
    dev_login: bool = field(default=True, metadata={"env": "AMTSWEG_DEV_LOGIN"})
    sandbox_payments: bool = field(
        default=True,
        metadata={
            "env": "AMTSWEG_SANDBOX_PAYMENTS",
            "doc": "Offer the sandbox, whose test cards pay any fee; never in production.",
        },
    )
    storage_dir: Path = field(default=Path("var/files"), metadata={"env": "AMTSWEG_STORAGE_DIR"})
    max_request_bytes: int = field(
        default=30 * 1024 * 1024, metadata={"env": "AMTSWEG_MAX_REQUEST_BYTES"}
    )
    log_level: str = field(default="INFO", metadata={"env": "AMTSWEG_LOG_LEVEL"})
    public_url: str = field(
        default="http://localhost:5000",
        metadata={
            "env": "AMTSWEG_PUBLIC_URL",
            "doc": "Where people reach Amtsweg; the login's redirect addresses start with it.",
        },
    )
    oidc_issuer: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_OIDC_ISSUER",
            "doc": "The OpenID provider; empty means the development login at /dev-idp.",
        },
    )
    oidc_client_id: str = field(default="amtsweg", metadata={"env": "AMTSWEG_OIDC_CLIENT_ID"})
    oidc_client_secret: str = field(default="", metadata={"env": "AMTSWEG_OIDC_CLIENT_SECRET"})
    oidc_scopes: str = field(
        default="openid profile email address", metadata={"env": "AMTSWEG_OIDC_SCOPES"}
    )
    oidc_acr_map: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_OIDC_ACR_MAP",
            "doc": "acr value=trust level pairs, comma separated; empty means the "
            "eIDAS and STORK-QAA values (see amtsweg.platform.auth.trust).",
        },
    )
    oidc_api_audience: str = field(
        default="amtsweg-api", metadata={"env": "AMTSWEG_OIDC_API_AUDIENCE"}
    )
    login_session_minutes: int = field(
        default=60, metadata={"env": "AMTSWEG_LOGIN_SESSION_MINUTES"}
    )
    login_session_max_minutes: int = field(
        default=480,
        metadata={
            "env": "AMTSWEG_LOGIN_SESSION_MAX_MINUTES",
            "doc": "Extending a login renews AMTSWEG_LOGIN_SESSION_MINUTES, but never "
            "beyond this many minutes after the login.",
        },
    )
    login_rate_limit: str = field(
        default="10/minute",
        metadata={
            "env": "AMTSWEG_LOGIN_RATE_LIMIT",
            "doc": "Login starts and callbacks per client IP (each counted on its own).",
        },
    )
    submit_rate_limit: str = field(
        default="5/minute",
        metadata={
            "env": "AMTSWEG_SUBMIT_RATE_LIMIT",
            "doc": "Submissions per person (per client IP without a login), HTML and API.",
        },
    )
    link_check_private_hosts: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_LINK_CHECK_PRIVATE_HOSTS",
            "doc": "Host names (comma separated) the onboarding checklist may fetch although "
            "they resolve to internal addresses; empty in production (tests use 127.0.0.1).",
        },
    )
    step_rate_limit: str = field(
        default="60/minute",
        metadata={
            "env": "AMTSWEG_STEP_RATE_LIMIT",
            "doc": "Saved steps of applications per person (uploads included).",
        },
    )
    draft_days: int = field(
        default=30,
        metadata={
            "env": "AMTSWEG_DRAFT_DAYS",
            "doc": "Days an unfinished application is kept after its last change; "
            "`amtsweg drafts purge` deletes it, with its files, afterwards.",
        },
    )
    draft_upload_quota_bytes: int = field(
        default=50 * 1000 * 1000,
        metadata={
            "env": "AMTSWEG_DRAFT_UPLOAD_QUOTA_BYTES",
            "doc": "Total size of the files one application may hold.",
        },
    )
    proxy_hops: int = field(
        default=0,
        metadata={
            "env": "AMTSWEG_PROXY_HOPS",
            "doc": "Reverse proxies in front of the app whose X-Forwarded-For/-Proto "
            "are trusted; the client IP counts for rate limits.",
        },
    )
    dev_login_key_file: Path = field(
        default=Path("var/dev-idp-key.pem"),
        metadata={
            "env": "AMTSWEG_DEV_LOGIN_KEY_FILE",
            "doc": "The development login's signing key, made on first use.",
        },
    )

    smtp_url: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_SMTP_URL",
            "doc": "smtp://user:pass@host:587?starttls=true or smtps://user:pass@host:465; "
            "empty writes mail into AMTSWEG_MAIL_OUTBOX_DIR instead (refused in production).",
        },
    )
    mail_outbox_dir: Path = field(
        default=Path("var/outbox"), metadata={"env": "AMTSWEG_MAIL_OUTBOX_DIR"}
    )
    mail_from: str = field(
        default="Amtsweg <noreply@amtsweg.invalid>", metadata={"env": "AMTSWEG_MAIL_FROM"}
    )

    payment_keys: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_PAYMENT_KEYS",
            "doc": "Fernet keys (comma separated, newest first) that encrypt payment "
            "providers' credentials at rest; older keys still decrypt (rotation). Empty "
            "outside production derives a development key from SECRET_KEY.",
        },
    )
    delivery_keys: str = field(
        default="",
        metadata={
            "env": "AMTSWEG_DELIVERY_KEYS",
            "doc": "Fernet keys (comma separated, newest first) that encrypt delivery "
            "targets' passwords and secrets at rest; older keys still decrypt (rotation). "
            "Empty outside production derives a development key from SECRET_KEY.",
        },
    )
    payment_poll_seconds: int = field(
        default=60,
        metadata={
            "env": "AMTSWEG_PAYMENT_POLL_SECONDS",
            "doc": "How often `amtsweg worker` reads open payments' statuses from their "
            "providers and expires stale attempts (once across all workers).",
        },
    )
    payment_expiry_minutes: int = field(
        default=90,
        metadata={
            "env": "AMTSWEG_PAYMENT_EXPIRY_MINUTES",
            "doc": "An unpaid payment attempt expires after this many minutes.",
        },
    )
    kassenzeichen_pattern: str = field(
        default="{prefix}{year}{number:06d}",
        metadata={
            "env": "AMTSWEG_KASSENZEICHEN_PATTERN",
            "doc": "Kassenzeichen before its check digit: {prefix} (the tenant's reference "
            "prefix), {year}, {number} (per tenant and year); a Luhn check digit is appended.",
        },
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every setting from ``environ``; ``overrides`` win (tests use them)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = spec.metadata["env"]
            if name in environ:
                values[spec.name] = _coerce(spec.type, environ[name])
        values.update(overrides)
        if values.get("env") == "production":
            values.setdefault("dev_login", False)
            values.setdefault("sandbox_payments", False)
            values.setdefault("deliveries_dir", None)
        return cls(**values)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def migration_url(self) -> str:
        return self.database_owner_url or self.database_url

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_dev_login_provider(self) -> bool:
        """No provider is configured, so the built-in development one serves the login."""
        return self.dev_login and not self.oidc_issuer

    @property
    def login_issuer(self) -> str:
        """The OpenID provider's issuer URL; empty when login is not possible."""
        if self.uses_dev_login_provider:
            return self.public_url.rstrip("/") + DEV_LOGIN_PATH
        return self.oidc_issuer

    @property
    def login_client_secret(self) -> str:
        if self.uses_dev_login_provider and not self.oidc_client_secret:
            return DEV_CLIENT_SECRET
        return self.oidc_client_secret

    def problems(self) -> list[str]:
        """Everything that makes these settings unfit to run, one line each."""
        problems = []
        if self.env not in ENVIRONMENTS:
            problems.append(
                f"AMTSWEG_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}."
            )
        if self.is_production:
            if len(self.secret_key) < 32:
                problems.append(
                    "SECRET_KEY is missing or shorter than 32 characters; set a long random value."
                )
            if self.uses_sqlite:
                problems.append("DATABASE_URL points to SQLite; production needs PostgreSQL.")
            if self.dev_login:
                problems.append(
                    "AMTSWEG_DEV_LOGIN is on; the development login must never run in production."
                )
            if self.sandbox_payments:
                problems.append(
                    "AMTSWEG_SANDBOX_PAYMENTS is on; its test cards must never pay a fee "
                    "in production."
                )
            problems += self._production_login_problems()
            if not self.redis_url:
                problems.append(
                    "REDIS_URL is missing; production keeps jobs and rate limits in Redis."
                )
            if not self.payment_keys:
                problems.append(
                    "AMTSWEG_PAYMENT_KEYS is missing; payment credentials need an encryption key."
                )
            if not self.delivery_keys:
                problems.append(
                    "AMTSWEG_DELIVERY_KEYS is missing; delivery targets' secrets need an "
                    "encryption key."
                )
        problems += self._session_and_limit_problems()
        try:
            AcrMapping.parse(self.oidc_acr_map)
        except ValueError as error:
            problems.append(str(error))
        problems += mail_problems(self)
        problems += _key_problems("AMTSWEG_PAYMENT_KEYS", self.payment_keys)
        problems += _key_problems("AMTSWEG_DELIVERY_KEYS", self.delivery_keys)
        return problems

    def _production_login_problems(self) -> list[str]:
        problems = []
        if not self.oidc_issuer.startswith("https://"):
            problems.append("AMTSWEG_OIDC_ISSUER must name the OpenID provider by an https:// URL.")
        if not self.oidc_client_secret:
            problems.append("AMTSWEG_OIDC_CLIENT_SECRET is missing.")
        if not self.public_url.startswith("https://"):
            problems.append("AMTSWEG_PUBLIC_URL must be the site's https:// address.")
        return problems

    def _session_and_limit_problems(self) -> list[str]:
        problems = []
        if not 0 <= self.login_session_minutes <= self.login_session_max_minutes:
            problems.append(
                "AMTSWEG_LOGIN_SESSION_MINUTES must be at most AMTSWEG_LOGIN_SESSION_MAX_MINUTES."
            )
        for name, value in (
            ("AMTSWEG_LOGIN_RATE_LIMIT", self.login_rate_limit),
            ("AMTSWEG_SUBMIT_RATE_LIMIT", self.submit_rate_limit),
            ("AMTSWEG_STEP_RATE_LIMIT", self.step_rate_limit),
        ):
            try:
                parse_many(value)
            except ValueError:
                problems.append(f"{name} must look like '10/minute', not {value!r}.")
        return problems

    def check(self) -> None:
        if problems := self.problems():
            raise ConfigError(problems)


def _coerce(kind: Any, raw: str) -> Any:
    kind = kind if isinstance(kind, str) else kind.__name__
    if kind == "bool":
        return _flag(raw)
    if kind == "int":
        return int(raw)
    if kind in {"Path", "Path | None"}:
        return Path(raw)
    return raw


def _key_problems(name: str, keys: str) -> list[str]:
    problems = []
    for number, key in enumerate(keys.split(","), start=1):
        if not key.strip():
            continue
        try:
            Fernet(key.strip())
        except ValueError:
            problems.append(
                f"{name}: key {number} is not a Fernet key (make one with Fernet.generate_key())."
            )
    return problems
