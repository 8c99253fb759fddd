"""SMTP settings and the mail transports.

Settings come from a config file (`--smtp-config smtp.yaml`) overlaid by MARKETNOTES_SMTP_*
environment variables. The password comes only from MARKETNOTES_SMTP_PASSWORD or the file named
by MARKETNOTES_SMTP_PASSWORD_FILE; a config file that contains one is refused. The password is a
SecretStr: it never appears in a repr, a log line, an error message or a file we write.

Transports sit in a registry (`smtp` built in); a transport returns the recipients the server
refused. Transient failures (4xx, dropped connection, timeout) are retried with backoff;
permanent ones (5xx, authentication) raise `SmtpRefused` with the server's answer.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from marketnotes.errors import DeliveryError, ParamsError, SmtpConfigError, SmtpRefused

log = logging.getLogger("marketnotes.delivery")
ENV = "MARKETNOTES_SMTP_"


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int | None = None
    user: str | None = None
    sender: str
    tls: Literal["starttls", "ssl", "none"] = "starttls"
    password: SecretStr | None = None
    ca_file: Path | None = None  # a private CA (corporate relay, tests)
    timeout: float = 30.0
    retries: int = 3
    backoff_seconds: float = 2.0

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.tls]


def load_settings(config: Path | None = None) -> SmtpSettings:
    raw: dict = {}
    if config is not None:
        try:
            raw = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ParamsError(config, ["file not found"]) from None
        if "password" in raw:
            raise ParamsError(config, ["a password does not belong in a config file; set MARKETNOTES_SMTP_PASSWORD or MARKETNOTES_SMTP_PASSWORD_FILE"])
        if "from" in raw:
            raw["sender"] = raw.pop("from")
    for field, var in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("sender", "FROM"), ("tls", "TLS"), ("ca_file", "CAFILE")):
        if os.environ.get(ENV + var):
            raw[field] = os.environ[ENV + var]
    password = os.environ.get(ENV + "PASSWORD")
    if not password and os.environ.get(ENV + "PASSWORD_FILE"):
        try:
            password = Path(os.environ[ENV + "PASSWORD_FILE"]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SmtpConfigError(f"MARKETNOTES_SMTP_PASSWORD_FILE unreadable ({exc.strerror})") from None
    if password:
        raw["password"] = password
    missing = [name for name, var in (("host", "MARKETNOTES_SMTP_HOST"), ("sender", "MARKETNOTES_SMTP_FROM")) if not raw.get(name)]
    if missing:
        raise SmtpConfigError(", ".join(f"{m} (set {dict(host='MARKETNOTES_SMTP_HOST', sender='MARKETNOTES_SMTP_FROM')[m]} or use --smtp-config)" for m in missing))
    try:
        return SmtpSettings.model_validate(raw)
    except ValidationError as exc:
        raise SmtpConfigError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None


_TRANSPORTS: dict[str, Callable[[SmtpSettings], Transport]] = {}


def register_transport(name: str):
    def deco(factory):
        _TRANSPORTS[name] = factory
        return factory

    return deco


def get_transport(name: str, settings: SmtpSettings) -> Transport:
    try:
        return _TRANSPORTS[name](settings)
    except KeyError:
        raise DeliveryError(f"unknown mail transport {name!r}; known: {', '.join(sorted(_TRANSPORTS))}") from None


class Transport:
    def send(self, msg: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, str]]:  # pragma: no cover
        raise NotImplementedError


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout | TimeoutError)


@register_transport("smtp")
class SmtpTransport(Transport):
    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.attempts = 0

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.settings.ca_file) if self.settings.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=s.timeout, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
            if s.tls == "starttls":
                conn.starttls(context=self._context())
        if s.user:
            if s.password is None:
                conn.close()
                raise SmtpConfigError(f"user {s.user} given but no password (set MARKETNOTES_SMTP_PASSWORD or MARKETNOTES_SMTP_PASSWORD_FILE)")
            conn.login(s.user, s.password.get_secret_value())
        return conn

    def send(self, msg: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, str]]:
        s = self.settings
        delay = s.backoff_seconds
        for attempt in range(s.retries + 1):
            self.attempts += 1
            try:
                with self._connect() as conn:
                    refused = conn.send_message(msg, from_addr=s.sender, to_addrs=recipients)
                return {r: (code, resp.decode(errors="replace") if isinstance(resp, bytes) else str(resp)) for r, (code, resp) in refused.items()}
            except smtplib.SMTPAuthenticationError as exc:
                raise SmtpRefused(s.host, exc.smtp_code, _text(exc.smtp_error), "the login") from None
            except (smtplib.SMTPException, OSError) as exc:
                if not _is_transient(exc):
                    raise _permanent(s.host, exc) from None
                if attempt == s.retries:
                    raise DeliveryError(f"SMTP server {s.host} still failing after {attempt + 1} attempts: {_describe(exc)}") from None
                log.warning("transient SMTP failure (%s); retrying in %.0fs", _describe(exc), delay)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def _text(raw) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r}: {c} {_text(m)}" for r, (c, m) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


def _permanent(host: str, exc: Exception) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return SmtpRefused(host, None, _describe(exc), "every recipient")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SmtpRefused(host, exc.smtp_code, _text(exc.smtp_error), f"the sender {exc.sender}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SmtpRefused(host, exc.smtp_code, _text(exc.smtp_error), "the message")
    return DeliveryError(f"cannot reach SMTP server {host}: {_describe(exc)}")
