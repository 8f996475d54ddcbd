"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise .eml files in an outbox folder."""

from __future__ import annotations

import email
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template

from portal import jobs
from portal.models import utcnow


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def build_message(
    to: str,
    subject: str,
    template: str,
    attachments: Sequence[Attachment] = (),
    **context: object,
) -> EmailMessage:
    """Render templates/emails/<template>.txt into a message, with any attachments."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="betteroff.local")
    message.set_content(render_template(f"emails/{template}.txt", **context))
    for item in attachments:
        message.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=item.params,
        )
    return message


def send_mail(
    to: str, subject: str, template: str, attachments: Sequence[Attachment] = (), **context: object
) -> None:
    deliver(build_message(to, subject, template, attachments, **context))


def deliver(message: EmailMessage) -> None:
    """Send once the surrounding transaction has committed, as a job: by a worker with Redis,
    right after the commit without; a failure is retried and shown to admins under Jobs."""
    jobs.enqueue("send_mail", {"message": message.as_string()})


@jobs.handler("send_mail")
def _send_mail_job(payload: dict) -> dict:
    deliver_now(email.message_from_string(payload["message"], policy=policy.default))
    return {}  # sent: the job keeps no copy of the message (personal data)


def deliver_now(message: EmailMessage) -> None:
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        _deliver_smtp(message)
    else:
        _write_outbox(message, Path(cfg["OUTBOX_DIR"]))


def _deliver_smtp(message: EmailMessage) -> None:
    cfg = current_app.config
    host, port, timeout = cfg["MAIL_SERVER"], cfg["MAIL_PORT"], cfg["MAIL_TIMEOUT"]
    smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_cls(host, port, timeout=timeout) as smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", str(message["Subject"]).lower()).strip("-")[:40]
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{slug or 'message'}.eml"
    tmp = path.with_suffix(".eml.tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(path)
    return path
