"""Service-level rules of the scorecard: lifecycle, derived score, amendments, conflicts."""

import pytest

from portal.extensions import db
from portal.feedback import services
from portal.models import (
    AuditEvent,
    Dimension,
    Feedback,
    FeedbackState,
    PanelMember,
    ReleaseAcknowledgement,
    Stage,
)
from portal.release_check import screening
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_input


@pytest.fixture
def interview(app, recruiter):
    cand = factories.candidate(name="Maya Chen", email="maya@example.com", with_account=True)
    return factories.interview(cand, recruiter)


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_start_creates_one_draft_per_interview_and_author(interview, recruiter, other_recruiter):
    with pytest.raises(services.FeedbackError, match="panel"):
        services.start_feedback(interview, other_recruiter)  # not on the panel (yet)
    interview.panel.append(PanelMember(user=other_recruiter))
    first = services.start_feedback(interview, recruiter)
    again = services.start_feedback(interview, recruiter)
    theirs = services.start_feedback(interview, other_recruiter)
    assert first is again and first is not theirs
    assert first.state is FeedbackState.DRAFT
    assert {r.dimension for r in first.ratings} == set(Dimension)
    assert "feedback_created" in actions()


def test_candidates_cannot_write_feedback(interview):
    candidate_user = interview.candidate.user
    with pytest.raises(services.FeedbackError, match="Only recruiters and admins"):
        services.start_feedback(interview, candidate_user)


def test_save_reports_changed_fields_and_records_them(interview, recruiter):
    fb = services.start_feedback(interview, recruiter)
    changed = services.save_feedback(
        fb, scorecard_input(), actor=recruiter, expected_version=fb.lock_version
    )
    assert "strengths" in changed and "score_presence" in changed
    commit()
    again = services.save_feedback(
        fb, scorecard_input(), actor=recruiter, expected_version=fb.lock_version
    )
    assert again == []
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "feedback_saved"))
    assert "strengths" in event.details["changed"]


def test_only_author_or_admin_edits(interview, recruiter, other_recruiter, admin):
    fb = services.start_feedback(interview, recruiter)
    with pytest.raises(services.FeedbackError, match="Only the author"):
        services.save_feedback(
            fb, scorecard_input(), actor=other_recruiter, expected_version=fb.lock_version
        )
    assert services.save_feedback(
        fb, scorecard_input(), actor=admin, expected_version=fb.lock_version
    )


def test_submit_requires_a_complete_scorecard(interview, recruiter):
    fb = services.start_feedback(interview, recruiter)
    services.save_feedback(
        fb,
        scorecard_input(
            scores={d: None for d in Dimension}, decision=None, practice_suggestions="Only one"
        ),
        actor=recruiter,
        expected_version=fb.lock_version,
    )
    with pytest.raises(services.IncompleteError) as err:
        services.submit_feedback(fb, actor=recruiter)
    assert {"score_presence", "decision", "practice_suggestions"} <= set(err.value.problems)
    assert fb.state is FeedbackState.DRAFT


def test_practice_suggestions_must_be_two_or_three(interview, recruiter):
    fb = services.start_feedback(interview, recruiter)
    four = "one\ntwo\nthree\nfour"
    services.save_feedback(
        fb,
        scorecard_input(practice_suggestions=four),
        actor=recruiter,
        expected_version=fb.lock_version,
    )
    with pytest.raises(services.IncompleteError, match="two or three"):
        services.submit_feedback(fb, actor=recruiter)


def test_lifecycle_allowed_and_refused_transitions(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "draft")
    with pytest.raises(services.FeedbackError, match="Submit the scorecard before releasing"):
        services.release_feedback(fb, actor=recruiter, acknowledged=set())
    with pytest.raises(services.FeedbackError, match="Only submitted feedback can go back"):
        services.reopen_feedback(fb, actor=recruiter)
    services.submit_feedback(fb, actor=recruiter)
    assert fb.state is FeedbackState.SUBMITTED and fb.submitted_at
    with pytest.raises(services.FeedbackError, match="Only a draft can be submitted"):
        services.submit_feedback(fb, actor=recruiter)
    services.reopen_feedback(fb, actor=recruiter)
    assert fb.state is FeedbackState.DRAFT
    services.submit_feedback(fb, actor=recruiter)
    revision = services.release_feedback(fb, actor=recruiter, acknowledged=set())
    assert fb.state is FeedbackState.RELEASED and revision.number == 1 and fb.released_at
    with pytest.raises(services.FeedbackError, match="already released"):
        services.release_feedback(fb, actor=recruiter, acknowledged=set())
    with pytest.raises(services.FeedbackError, match="cannot be edited; amend it"):
        services.save_feedback(
            fb, scorecard_input(), actor=recruiter, expected_version=fb.lock_version
        )
    with pytest.raises(services.FeedbackError, match="Only a draft"):
        services.submit_feedback(fb, actor=recruiter)
    with pytest.raises(services.FeedbackError, match="Only submitted"):
        services.reopen_feedback(fb, actor=recruiter)
    assert actions()[-1] == "feedback_released"


def test_release_snapshot_never_contains_private_notes(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "released")
    content = fb.revisions[0].content
    assert "PRIVATE-NOTE-7731" not in str(content)
    assert content["strengths"].startswith("You walked through")
    assert len(content["ratings"]) == 6


def test_release_check_findings_must_be_fixed_or_acknowledged(interview, recruiter):
    fb = factories.feedback(
        interview,
        recruiter,
        "submitted",
        improvements="Not a culture fit for the team; seemed too old for a startup.",
    )
    findings = services.release_findings(fb)
    assert findings, "the release check found nothing in clearly risky wording"
    with pytest.raises(services.UnacknowledgedFindings) as err:
        services.release_feedback(fb, actor=recruiter, acknowledged=set())
    assert err.value.findings
    assert fb.state is FeedbackState.SUBMITTED
    keys = {screening.finding_key(f) for f in findings}
    services.release_feedback(fb, actor=recruiter, acknowledged=keys)
    commit()
    acks = db.session.scalars(db.select(ReleaseAcknowledgement)).all()
    assert {a.matched_text.lower() for a in acks} == {f.matched.lower() for f in findings}
    assert all(a.acknowledged_by_id == recruiter.id and a.revision == 1 for a in acks)
    assert "release_findings_acknowledged" in actions()


def test_fixing_the_wording_clears_the_finding(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "draft", strengths="Great culture fit.")
    assert services.release_findings(fb)
    services.save_feedback(
        fb,
        scorecard_input(
            strengths="You explained the forecasting project clearly and with numbers."
        ),
        actor=recruiter,
        expected_version=fb.lock_version,
    )
    assert services.release_findings(fb) == []


def test_amendment_adds_a_revision_and_keeps_history(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "released")
    with pytest.raises(services.FeedbackError, match="Say why"):
        services.amend_feedback(
            fb,
            scorecard_input(strengths="Corrected strengths text here."),
            actor=recruiter,
            expected_version=fb.lock_version,
            reason=" ",
            acknowledged=set(),
        )
    db.session.rollback()
    fb = db.session.get(Feedback, fb.id)
    revision = services.amend_feedback(
        fb,
        scorecard_input(strengths="Corrected strengths text here."),
        actor=recruiter,
        expected_version=fb.lock_version,
        reason="Mixed up two interviews.",
        acknowledged=set(),
    )
    commit()
    assert revision.number == 2 and fb.revision == 2 and fb.state is FeedbackState.RELEASED
    assert [r.number for r in fb.revisions] == [1, 2]
    assert fb.revisions[0].content["strengths"].startswith("You walked through")
    assert fb.revisions[1].content["strengths"] == "Corrected strengths text here."
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "feedback_amended"))
    assert event.details["changed"] == ["strengths"]
    assert fb.revisions[1].reason == "Mixed up two interviews."
    # The reason is words about the candidate: kept with the revision, not in the audit log.
    assert "Mixed up" not in str(event.details)


def test_private_note_change_on_released_feedback_is_not_an_amendment(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "released")
    result = services.amend_feedback(
        fb,
        scorecard_input(private_notes="Updated private note"),
        actor=recruiter,
        expected_version=fb.lock_version,
        reason="",
        acknowledged=set(),
    )
    assert result is None and fb.revision == 1 and fb.private_notes == "Updated private note"
    with pytest.raises(services.FeedbackError, match="Nothing has changed"):
        services.amend_feedback(
            fb,
            scorecard_input(private_notes="Updated private note"),
            actor=recruiter,
            expected_version=fb.lock_version,
            reason="x",
            acknowledged=set(),
        )


def test_amendment_is_refused_for_unreleased_feedback(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "submitted")
    with pytest.raises(services.FeedbackError, match="Only released feedback is amended"):
        services.amend_feedback(
            fb,
            scorecard_input(),
            actor=recruiter,
            expected_version=fb.lock_version,
            reason="x",
            acknowledged=set(),
        )


def test_stale_version_from_the_form_is_a_conflict(interview, recruiter):
    fb = factories.feedback(interview, recruiter, "draft")
    stale = fb.lock_version
    services.save_feedback(
        fb,
        scorecard_input(strengths="First editor's text."),
        actor=recruiter,
        expected_version=stale,
    )
    commit()
    with pytest.raises(services.ConflictError, match="Someone else saved"):
        services.save_feedback(
            fb,
            scorecard_input(strengths="Second editor's text."),
            actor=recruiter,
            expected_version=stale,
        )


@pytest.mark.real_commits
def test_two_sessions_saving_at_once_cannot_both_win(app, interview, recruiter, admin):
    fb = factories.feedback(interview, recruiter, "draft")
    fb_id = fb.id
    commit()
    ours = db.session.get(Feedback, fb_id)
    version = ours.lock_version
    with app.app_context():  # a second person, in their own session, saves first
        theirs = db.session.get(Feedback, fb_id)
        other_admin = db.session.merge(admin)
        services.save_feedback(
            theirs,
            scorecard_input(strengths="Theirs."),
            actor=other_admin,
            expected_version=version,
        )
        commit()
    with pytest.raises(services.ConflictError):
        services.save_feedback(
            ours, scorecard_input(strengths="Ours."), actor=recruiter, expected_version=version
        )
    db.session.rollback()
    assert db.session.get(Feedback, fb_id).strengths == "Theirs."


@pytest.mark.parametrize(
    ("weights", "scores", "expected"),
    [
        ({}, {d: 4 for d in Dimension}, 4.0),
        ({}, {Dimension.PRESENCE: 5, Dimension.EXCHANGE: 1}, 3.0),
        ({"exchange": 3}, {Dimension.PRESENCE: 5, Dimension.EXCHANGE: 1}, 2.0),
        ({"presence": 0}, {Dimension.PRESENCE: 1, Dimension.EXCHANGE: 5}, 5.0),
        ({}, {}, None),
    ],
)
def test_overall_score_is_the_weighted_mean_of_ratings(app, recruiter, weights, scores, expected):
    cand = factories.candidate()
    position = factories.position(weights=weights)
    interview = factories.interview(cand, recruiter, Stage.FIRST, position_=position)
    fb = services.start_feedback(interview, recruiter)
    full = {d: scores.get(d) for d in Dimension}
    services.save_feedback(
        fb, scorecard_input(scores=full), actor=recruiter, expected_version=fb.lock_version
    )
    assert services.overall_score(fb) == expected
