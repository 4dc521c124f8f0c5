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

from amtsweg.platform.mail import mail_problems

ENVIRONMENTS = ("development", "test", "production")


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
    dev_login: bool = field(default=True, metadata={"env": "AMTSWEG_DEV_LOGIN"})
    storage_dir: Path = field(default=Path("var/files"), metadata={"env": "AMTSWEG_STORAGE_DIR"})
    max_request_bytes: int = field(
        default=30 * 1024 * 1024, metadata={"env": "AMTSWEG_MAX_REQUEST_BYTES"}
    )
    log_level: str = field(default="INFO", metadata={"env": "AMTSWEG_LOG_LEVEL"})

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
        if "dev_login" not in values and values.get("env") == "production":
            values["dev_login"] = False
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
        problems += mail_problems(self)
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
    if kind == "Path":
        return Path(raw)
    return raw
