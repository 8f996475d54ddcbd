"""`flask referrals expire`: idempotent, safe from cron, with a dry run."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import Referral, ReferralKind, ReferralStatus, utcnow
from portal.unit_of_work import commit
from tests import factories
from tests.referrals import factories as rf

S = ReferralStatus
K = ReferralKind


def aged(referral: Referral, days: int) -> Referral:
    referral.status_changed_at = utcnow() - timedelta(days=days)
    commit()
    return referral


def status_of(referral_id: int) -> ReferralStatus:
    db.session.expire_all()
    return db.session.get(Referral, referral_id).status


def test_expire_dry_run_lists_and_changes_nothing(app, cast):
    old = aged(rf.at_status(cast, K.REFERRAL, S.APPROVED), 61)
    result = app.test_cli_runner().invoke(args=["referrals", "expire", "--dry-run"])
    assert result.exit_code == 0
    assert f"Would expire #{old.id} referral for Maya Chen → Bluepeak Software, approved since" in (
        result.output
    )
    assert "Dry run: 1 would expire; nothing was changed." in result.output
    assert status_of(old.id) is S.APPROVED


def test_expire_closes_old_open_items_once(app, cast):
    old = aged(rf.at_status(cast, K.REFERRAL, S.APPROVED), 61)
    old_lead = aged(rf.at_status(cast, K.LEAD, S.CONSENTED), 100)
    fresh = aged(rf.propose(cast, candidate=cast.other_candidate), 10)
    closed = aged(rf.at_status(cast, K.LEAD, S.HIRED, role="Other"), 300)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Expired #") == 2 and "Expired 2 of 2." in result.output
    assert status_of(old.id) is S.EXPIRED and status_of(old_lead.id) is S.EXPIRED
    assert status_of(fresh.id) is S.PROPOSED and status_of(closed.id) is S.HIRED
    last = db.session.get(Referral, old.id).transitions[-1]
    assert last.actor_id is None and last.note == "No change for 60 days."
    again = runner.invoke(args=["referrals", "expire"])
    assert again.exit_code == 0
    assert "Nothing to expire: no open item is older than 60 days." in again.output


def test_expire_uses_the_configured_days_or_the_option(make_app):
    app = make_app(REFERRAL_EXPIRY_DAYS=5)
    with app.test_request_context():
        cast = rf.make_cast(
            factories.user(role="admin"), factories.user(), factories.user(name="Owen Owner")
        )
        item = aged(rf.propose(cast), 6)
        runner = app.test_cli_runner()
        assert (
            "Nothing to expire" in runner.invoke(args=["referrals", "expire", "--days", "7"]).output
        )
        assert "Expired 1 of 1." in runner.invoke(args=["referrals", "expire"]).output
        assert status_of(item.id) is S.EXPIRED
        bad = runner.invoke(args=["referrals", "expire", "--days", "-3"])
        assert bad.exit_code != 0 and "Invalid value" in bad.output
