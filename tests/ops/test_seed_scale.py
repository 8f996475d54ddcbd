"""`flask seed-scale`: a large data set that follows the product's own rules."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Candidate,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    Interview,
    Rating,
    Referral,
    ReferralStatus,
    ReferralTransition,
)
from portal.ops.seed_scale import SCALE_PASSWORD
from portal.referrals.pipeline import ALLOWED_TRANSITIONS
from tests.factories import sign_in


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_scale_fills_the_database_at_the_documented_ratios(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--candidates", "40"])
    assert result.exit_code == 0, result.output
    assert "40  candidates" in result.output and "Seeded in" in result.output
    assert count(Candidate) == 40
    assert 3 * 40 <= count(Interview) <= 7 * 40  # about five interviews each
    assert count(Referral) == 20
    released = db.session.scalar(
        select(func.count()).where(Feedback.state == FeedbackState.RELEASED)
    )
    assert released > 0
    assert count(Rating) == 6 * count(Feedback)  # every scorecard rates all six dimensions
    assert count(FeedbackRevision) == released  # released content is frozen as revision 1


def test_seeded_referrals_only_took_allowed_steps(app):
    app.test_cli_runner().invoke(args=["seed-scale", "--candidates", "40"])
    steps = defaultdict(list)
    for t in db.session.scalars(select(ReferralTransition).order_by(ReferralTransition.id)):
        steps[t.referral_id].append(t)
    for referral in db.session.scalars(select(Referral)):
        path = steps[referral.id]
        assert path[0].from_status is None and path[0].to_status is ReferralStatus.PROPOSED
        for earlier, later in zip(path, path[1:], strict=False):
            assert later.from_status is earlier.to_status
            rule = ALLOWED_TRANSITIONS[(later.from_status, later.to_status)]
            assert referral.kind in rule.kinds
        assert path[-1].to_status is referral.status


def test_seeded_logins_work_and_a_second_run_is_refused(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-scale", "--candidates", "5"])
    assert sign_in(client, "scale-recruiter-01@example.com", SCALE_PASSWORD).status_code == 302
    assert "Candidates" in client.get("/candidates/").text
    again = runner.invoke(args=["seed-scale", "--candidates", "5"])
    assert again.exit_code != 0 and "already here" in again.output
    assert count(Candidate) == 5
