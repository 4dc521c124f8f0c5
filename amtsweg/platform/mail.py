"""Outgoing email: a ``Mailbox`` interface; SMTP in production, a folder of .eml files otherwise.

``AMTSWEG_SMTP_URL`` picks :class:`SmtpMailbox` (``smtp://user:pass@host:587?starttls=true``
or ``smtps://user:pass@host:465``); without it :class:`OutboxFolderMailbox` writes every
message into ``AMTSWEG_MAIL_OUTBOX_DIR`` (``var/outbox`` in ``make demo``), where any
mail program opens it. Build messages with :func:`compose`; the mailbox adds the
configured sender (``AMTSWEG_MAIL_FROM``), the date and a Message-ID.

Send mail from a job enqueued after commit (``platform/jobs.py``), not inside a
request: :class:`MailError` says whether trying again can help (``permanent``).
The one exception is an invitation sent from the admin pages: it is sent after
its commit while the inviter waits, so that a mail server that cannot be
reached is reported on the page (``tenants/service.py`` ``mail_invitation``).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import idna
from flask import Flask, current_app

if TYPE_CHECKING:
    from amtsweg.platform.config import Settings

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "tls"]
Attachment = tuple[str, str, bytes]  # file name, MIME type, content
DEFAULT_TIMEOUT = 10.0
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class MailError(RuntimeError):
    """A message could not be handed over; ``permanent`` means retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class UnsafeHeaderError(ValueError):
    """An address, subject or file name would break out of its header (CR/LF) or is malformed."""


class Mailbox(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over for delivery; raise :class:`MailError` if that fails."""


# -- composing -----------------------------------------------------------------------------


def _sentence(what: str, rest: str) -> str:
    return what[:1].upper() + what[1:] + rest


def _header_text(value: str, what: str) -> str:
    if "\r" in value or "\n" in value:
        raise UnsafeHeaderError(_sentence(what, " must not contain line breaks."))
    return value


def _address(value: str, what: str) -> str:
    """One address (with an optional display name); a comma would smuggle in another recipient."""
    _header_text(value, what)
    parsed = getaddresses([value])
    if len(parsed) != 1:
        raise UnsafeHeaderError(_sentence(what, f" must be exactly one email address: {value!r}."))
    name, addr_spec = parsed[0]
    local, at, domain = addr_spec.rpartition("@")
    if not (at and local and "." in domain) or any(ch.isspace() for ch in addr_spec):
        raise UnsafeHeaderError(_sentence(what, f" is not an email address: {value!r}."))
    return str(Address(display_name=name, username=local, domain=_ascii_domain(domain, what)))


def _ascii_domain(domain: str, what: str) -> str:
    """An internationalized domain ("müller.de") as every mail server takes it
    ("xn--mller-kva.de", IDNA 2008): only servers that offer SMTPUTF8 take it as typed."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise UnsafeHeaderError(_sentence(what, f" has no valid domain: {domain!r}.")) from error


def compose(
    to: str | Sequence[str],
    subject: str,
    text_body: str,
    *,
    html_body: str | None = None,
    attachments: Iterable[Attachment] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    """A message with a plain-text body, an optional HTML alternative and attachments.

    Raises :class:`UnsafeHeaderError` for a line break in any header value, or for
    anything in ``to``/``reply_to`` that is not exactly one address each.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise UnsafeHeaderError("A message needs at least one recipient.")
    message = EmailMessage()
    message["To"] = ", ".join(_address(recipient, "the recipient") for recipient in recipients)
    message["Subject"] = _header_text(subject, "the subject")
    if reply_to is not None:
        message["Reply-To"] = _address(reply_to, "the reply-to address")
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    for filename, mime, content in attachments:
        maintype, slash, subtype = mime.partition("/")
        if not (slash and maintype and subtype):
            raise UnsafeHeaderError(f"{mime!r} is not a MIME type.")
        message.add_attachment(
            content,
            maintype=_header_text(maintype, "the MIME type"),
            subtype=_header_text(subtype, "the MIME type"),
            filename=_header_text(filename, "the attachment name"),
        )
    return message


def _complete(message: EmailMessage, sender: str) -> EmailMessage:
    """Add what :func:`compose` leaves to the mailbox: sender, date and Message-ID."""
    if "From" not in message:
        message["From"] = sender
    if "Date" not in message:
        message["Date"] = format_datetime(datetime.now(UTC))
    if "Message-ID" not in message:
        domain = message["From"].addresses[0].domain or "amtsweg.invalid"
        message["Message-ID"] = make_msgid(domain=domain)
    return message


# -- SMTP ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpMailbox:
    """Sends over SMTP: STARTTLS, implicit TLS (``tls``) or plain, with an optional login.

    Every :meth:`send` opens its own connection, so one instance serves many threads.
    """

    host: str
    port: int
    sender: str
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = DEFAULT_TIMEOUT
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_url(
        cls, url: str, sender: str, ssl_context: ssl.SSLContext | None = None
    ) -> SmtpMailbox:
        """``smtp://[user:pass@]host[:port][?starttls=true&timeout=10]`` or ``smtps://…``."""
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("AMTSWEG_SMTP_URL must look like smtp://host:587 or smtps://host:465.")
        security: Security = "tls" if parts.scheme == "smtps" else "none"
        if security == "none" and query.get("starttls", "").lower() in {"1", "true", "yes", "on"}:
            security = "starttls"
        return cls(
            host=parts.hostname,
            port=parts.port or _DEFAULT_PORTS[security],
            sender=sender,
            security=security,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            timeout=float(query.get("timeout", DEFAULT_TIMEOUT)),
            ssl_context=ssl_context,
        )

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or ssl.create_default_context()
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            try:
                client.starttls(context=context)
            except BaseException:
                client.close()
                raise
        return client

    def send(self, message: EmailMessage) -> None:
        _complete(message, self.sender)
        where = f"{self.host}:{self.port}"
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise MailError(
                f"The mail server {where} refused every recipient.",
                permanent=all(code >= 500 for code in codes),
            ) from error
        except smtplib.SMTPResponseException as error:
            raise MailError(
                f"The mail server {where} answered {error.smtp_code}.",
                permanent=error.smtp_code >= 500,
            ) from error
        except smtplib.SMTPNotSupportedError as error:
            raise MailError(
                f"The mail server {where} does not take addresses in other alphabets "
                "(no SMTPUTF8); the recipient's address needs it.",
                permanent=True,
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"Could not send mail through {where}: {error}") from error
        if refused:
            # The others were accepted; a retry would send them the message twice.
            raise MailError(
                f"The mail server {where} refused {len(refused)} recipient(s).", permanent=True
            )


# -- folder --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxFolderMailbox:
    """Writes each message as an ``.eml`` file into ``folder`` (``make demo``'s mailbox)."""

    folder: Path
    sender: str

    def send(self, message: EmailMessage) -> None:
        _complete(message, self.sender)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        path = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(message.as_bytes())
            temporary.replace(path)
        except OSError as error:
            raise MailError(f"Could not write mail into {self.folder}: {error}") from error
        log.info("mail written to %s", path)


# -- settings and app ----------------------------------------------------------------------


def mail_problems(settings: Settings) -> list[str]:
    """What is wrong with the mail settings, one line each (see ``Settings.problems``)."""
    problems = []
    if settings.smtp_url:
        try:
            smtp = SmtpMailbox.from_url(settings.smtp_url, settings.mail_from)
        except ValueError as error:
            problems.append(str(error))
        else:
            if settings.is_production and smtp.username and smtp.security == "none":
                problems.append(
                    "AMTSWEG_SMTP_URL logs in without encryption; "
                    "use smtps:// or add ?starttls=true."
                )
    elif settings.is_production:
        problems.append("AMTSWEG_SMTP_URL is missing; production sends mail over SMTP.")
    try:
        sender = _address(settings.mail_from, "AMTSWEG_MAIL_FROM")
    except UnsafeHeaderError as error:
        problems.append(str(error))
    else:
        if settings.is_production and sender.rstrip(">").endswith(".invalid"):
            problems.append("AMTSWEG_MAIL_FROM must be a real sender address in production.")
    return problems


def mailbox_for(settings: Settings) -> Mailbox:
    if settings.smtp_url:
        return SmtpMailbox.from_url(settings.smtp_url, settings.mail_from)
    return OutboxFolderMailbox(settings.mail_outbox_dir.resolve(), settings.mail_from)


def stable_message_id(key: str) -> str:
    """A Message-ID that is the same on every try, so a receiver can drop a duplicate.

    SMTP cannot promise exactly once: a crash after the server accepted a
    message and before the outbox recorded it sends it again on the retry.
    """
    sender = _address(current_app.config["AMTSWEG"].mail_from, "AMTSWEG_MAIL_FROM")
    domain = sender.rstrip(">").rpartition("@")[2]
    return f"<{key}@{domain}>"


def mailbox() -> Mailbox:
    """The app's mailbox (inside an app context, e.g. in a job)."""
    return current_app.extensions["amtsweg.mailbox"]


def init_app(app: Flask) -> None:
    app.extensions["amtsweg.mailbox"] = mailbox_for(app.config["AMTSWEG"])
