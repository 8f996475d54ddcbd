import sqlalchemy as sa

from portal.extensions import db
from portal.models import Candidate, Feedback, FeedbackState, Referral, ReferralStatus, User
from tests.factories import sign_in

DEMO_LOGINS = {
    "admin@example.com": "Welcome, Avery",
    "recruiter@example.com": "Welcome, Riley",
    "candidate@example.com": "Hello, Maya",
    "candidate2@example.com": "Hello, Jonas",
}


def counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Candidate, Feedback, Referral)
    }


def test_seed_demo_is_idempotent_and_shows_the_product(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "Demo data created" in first.output
    before = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert counts() == before
    assert before["Candidate"] >= 12
    states = set(db.session.scalars(sa.select(Feedback.state)))
    assert states == set(FeedbackState)
    statuses = set(db.session.scalars(sa.select(Referral.status)))
    assert len(statuses) >= 4 and ReferralStatus.APPROVED in statuses
    # Both demo candidates have released feedback of their own.
    for email in ("candidate@example.com", "candidate2@example.com"):
        released = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Feedback)
            .join(Feedback.interview)
            .join(Candidate)
            .where(Candidate.email == email, Feedback.state == FeedbackState.RELEASED)
        )
        assert released >= 1, email


def test_every_demo_login_signs_in_to_its_page(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    for email, greeting in DEMO_LOGINS.items():
        client = app.test_client()
        response = sign_in(client, email, "betteroff-demo")
        assert response.status_code == 302, email
        assert greeting in client.get("/").text


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--password",
            "long-enough-secret",
        ]
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "boss@example.com", "long-enough-secret").status_code == 302
    again = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "boss@example.com",
            "--name",
            "Boss",
            "--password",
            "long-enough-secret",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(
        args=["create-admin", "--email", "b2@example.com", "--name", "B", "--password", "short"]
    )
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output


def test_feedback_screen_command_is_registered(app):
    runner = app.test_cli_runner()
    flagged = runner.invoke(args=["feedback", "screen"], input="Not a culture fit.\n")
    assert flagged.exit_code == 1
    assert '"category": "Culture fit"' in flagged.stdout
    clean = runner.invoke(
        args=["feedback", "screen"], input="You explained the migration plan clearly.\n"
    )
    assert clean.exit_code == 0 and clean.stdout.strip() == ""
