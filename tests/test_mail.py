"""The mail layer: an outbox a person can open, and real SMTP delivery."""

import email
import time

from portal import mail
from portal.extensions import db
from portal.models import Job
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in


def test_outbox_files_are_complete_emails(app, outbox):
    mail.send_mail(
        "kim@example.com",
        "Hello there",
        "invitation",
        candidate=type("C", (), {"name": "Kim"})(),
        link="http://x/invitation/abc",
        days=7,
    )
    assert not list(outbox.path.glob("*.eml"))  # nothing leaves before the commit
    commit()
    files = list(outbox.path.glob("*.eml"))
    assert len(files) == 1 and files[0].suffix == ".eml"
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "kim@example.com"
    assert message["Subject"] == "Hello there"
    assert message["From"] and message["Message-ID"] and message["Date"]
    assert "Hello Kim" in message.get_payload(decode=True).decode()
    assert not list(outbox.path.glob("*.tmp"))


def test_mail_of_a_change_that_is_rolled_back_is_never_sent(app, outbox):
    mail.send_mail(
        "kim@example.com",
        "Never",
        "invitation",
        candidate=type("C", (), {"name": "Kim"})(),
        link="http://x/invitation/abc",
        days=7,
    )
    db.session.rollback()
    commit()

    assert not list(outbox.path.glob("*.eml"))
    assert db.session.query(Job).count() == 0


def test_smtp_delivery_when_mail_server_is_configured(make_app, smtp_server, tmp_path):
    controller, handler = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    with app.test_request_context():
        mail.send_mail(
            "lee@example.com",
            "Via SMTP",
            "password_reset",
            user=type("U", (), {"name": "Lee"})(),
            welcome=False,
            link="http://x/r/1",
            minutes=60,
        )
        commit()
    assert handler.received.wait(5)
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["lee@example.com"]
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"] == "Via SMTP"
    assert "Hello Lee" in message.get_payload(decode=True).decode()
    # Nothing is written to the outbox when SMTP is configured.
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").glob("*.eml"))


def test_invitation_travels_over_smtp_end_to_end(make_app, smtp_server):
    controller, handler = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    with app.app_context():
        factories.user(role="recruiter", email="smtp-rec@example.com")
    client = app.test_client()
    sign_in(client, "smtp-rec@example.com")
    client.post(
        "/candidates/new", data={"name": "Ola", "email": "ola@example.com", "send_invitation": "y"}
    )
    deadline = time.monotonic() + 5
    while not handler.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handler.messages and handler.messages[0].rcpt_tos == ["ola@example.com"]
    assert b"/invitation/" in handler.messages[0].content
