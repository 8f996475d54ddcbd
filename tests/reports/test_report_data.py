"""Report data is built from released revisions only, for one candidate, in fixed queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    CompanyKind,
    Decision,
    Dimension,
    FeedbackState,
    ReferralKind,
    ReferralStatus,
    Stage,
)
from portal.reports.queries import build_interview_report, build_journey_report
from portal.reports.types import ReportData, ReportUnavailable, canonical_json
from portal.rubric import GUIDES
from portal.unit_of_work import commit
from tests import factories
from tests.reports import PRIVATE_NOTE, referral, release, scorecard


@contextmanager
def recorded_sql() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    target = db.session.get_bind()  # the test's connection on PostgreSQL, else the engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


@pytest.fixture
def candidate(app):
    return factories.candidate(name="Maya Chen")


@pytest.fixture
def position(app):
    return factories.position("Data Analyst", factories.company("Northwind Analytics"))


@pytest.fixture
def partner(app):
    return factories.company("Bluepeak Software", kind=CompanyKind.PARTNER)


def interview(candidate, recruiter, position, stage=Stage.FIRST, day=1):
    return factories.interview(
        candidate, recruiter, stage=stage, position_=position, when=datetime(2026, 3, day, 10)
    )


def test_interview_report_reads_the_released_revision_not_later_edits(
    candidate, recruiter, position
):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    feedback.strengths = "UNRELEASED EDIT that the candidate must not see"
    feedback.insight_plans = None
    commit()

    data = build_interview_report(feedback.id)

    assert data.strengths == ("You walked through the dashboard rebuild step by step.",)
    assert "UNRELEASED" not in canonical_json(data)
    assert [i.topic for i in data.insights] == ["plans", "competitors", "markets", "role_fit"]


def test_latest_amendment_wins(candidate, recruiter, position):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    feedback.strengths = "Amended: you gave a clear account of the backlog, with numbers."
    release(feedback, reason="Clearer wording")

    data = build_interview_report(feedback.id)

    assert data.strengths == ("Amended: you gave a clear account of the backlog, with numbers.",)
    assert data.covers == ((feedback.id, 2),)


def test_private_notes_are_never_loaded(candidate, recruiter, position):
    feedback_id = scorecard(interview(candidate, recruiter, position), recruiter).id
    candidate_id = candidate.id
    db.session.expunge_all()

    with recorded_sql() as statements:
        interview_data = build_interview_report(feedback_id)
        journey_data = build_journey_report(candidate_id)

    assert not any("private_notes" in sql for sql in statements)
    assert PRIVATE_NOTE not in canonical_json(interview_data)
    assert PRIVATE_NOTE not in canonical_json(journey_data)


@pytest.mark.parametrize("state", [FeedbackState.DRAFT, FeedbackState.SUBMITTED])
def test_unreleased_feedback_has_no_report_and_stays_out_of_the_journey(
    candidate, recruiter, position, state
):
    released = scorecard(interview(candidate, recruiter, position), recruiter)
    pending = scorecard(
        interview(candidate, recruiter, position, Stage.SECOND, day=8),
        recruiter,
        state=state,
        strengths="PENDING strengths not yet released",
    )

    with pytest.raises(ReportUnavailable):
        build_interview_report(pending.id)
    journey = build_journey_report(candidate.id)

    assert journey.covers == ((released.id, 1),)
    assert "PENDING" not in canonical_json(journey)
    assert journey.current_stage == "first"


def test_candidate_without_released_feedback_has_no_journey(candidate, recruiter, position):
    scorecard(interview(candidate, recruiter, position), recruiter, state=FeedbackState.SUBMITTED)

    with pytest.raises(ReportUnavailable):
        build_journey_report(candidate.id)


def test_erased_candidate_has_no_report(candidate, recruiter, position):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    candidate.erased_at = datetime(2026, 4, 1)
    commit()

    with pytest.raises(ReportUnavailable):
        build_interview_report(feedback.id)
    with pytest.raises(ReportUnavailable):
        build_journey_report(candidate.id)


def test_other_candidates_stay_out(candidate, recruiter, position, partner):
    own = scorecard(interview(candidate, recruiter, position), recruiter)
    other = factories.candidate(name="Otto Someone")
    other_feedback = scorecard(
        interview(other, recruiter, position, Stage.FINAL, day=2),
        recruiter,
        strengths="OTHER-CANDIDATE strengths",
        insight_plans="OTHER-CANDIDATE insight",
    )
    referral(other, recruiter, company=partner, role_title="OTHER-CANDIDATE lead")

    journey = build_journey_report(candidate.id)
    single = build_interview_report(own.id)

    for data in (journey, single):
        text = canonical_json(data)
        assert "OTHER-CANDIDATE" not in text
        assert "Otto" not in text
        assert data.referrals == ()
    assert other_feedback.id not in {ref.feedback_id for ref in journey.scorecards}


def test_only_referrals_from_approved_on_are_shown(candidate, recruiter, position, partner):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    for status in ReferralStatus:
        referral(
            candidate, recruiter, status=status, company=partner, role_title=status.value.upper()
        )

    shown = {item.role_or_market for item in build_journey_report(candidate.id).referrals}

    assert shown == {"APPROVED", "CONSENTED", "INTRODUCED", "INTERVIEWING", "HIRED"}
    assert build_interview_report(feedback.id).referrals == ()


def test_interview_report_shows_the_referrals_linked_to_its_scorecard(
    candidate, recruiter, position, partner
):
    first = scorecard(interview(candidate, recruiter, position), recruiter)
    second = scorecard(interview(candidate, recruiter, position, Stage.SECOND, day=8), recruiter)
    referral(
        candidate,
        recruiter,
        kind=ReferralKind.REFERRAL,
        company=partner,
        role_title="Senior Data Analyst",
        feedback=first,
    )
    referral(candidate, recruiter, company=None, market="Cold-chain logistics", role_title=None)

    first_data = build_interview_report(first.id)
    second_data = build_interview_report(second.id)

    assert [(r.kind, r.company, r.role_or_market) for r in first_data.referrals] == [
        ("referral", "Bluepeak Software", "Senior Data Analyst")
    ]
    assert first_data.referrals[0].state_label == "Waiting for your answer"
    assert "nothing about you is shared until you agree" in first_data.referrals[0].next_step
    assert second_data.referrals == ()
    assert len(build_journey_report(candidate.id).referrals) == 2


def test_queries_do_not_grow_with_the_data(candidate, recruiter, position, partner):
    first = scorecard(interview(candidate, recruiter, position), recruiter)
    referral(candidate, recruiter, company=partner)

    def build_both() -> tuple[list[str], ReportData]:
        candidate_id, first_id = candidate.id, first.id
        db.session.expire_all()
        with recorded_sql() as statements:
            journey = build_journey_report(candidate_id)
            build_interview_report(first_id)
        return statements, journey

    small, _ = build_both()
    for day, stage in ((8, Stage.SECOND), (15, Stage.FINAL)):
        scorecard(interview(candidate, recruiter, position, stage, day=day), recruiter)
    for n in range(4):
        referral(candidate, recruiter, company=partner, role_title=f"Role {n}", feedback=first)
    large, journey = build_both()

    assert len(journey.scorecards) == 3
    assert len(journey.referrals) == 5
    # The journey: 4 queries and one more for what the candidate said; the interview: 3.
    assert len(small) == len(large) == 7


def test_trend_follows_interview_dates_and_stops_at_the_reported_interview(
    candidate, recruiter, position
):
    # Entered out of order on purpose: the trend follows the interview dates.
    second = scorecard(
        interview(candidate, recruiter, position, Stage.SECOND, day=10),
        recruiter,
        scores={Dimension.PREPARATION: 4},
    )
    first = scorecard(
        interview(candidate, recruiter, position, Stage.FIRST, day=3),
        recruiter,
        scores={Dimension.PREPARATION: 2, Dimension.COMPOSURE: 3},
    )

    journey = build_journey_report(candidate.id)
    early = build_interview_report(first.id)

    assert [s.stage for s in journey.scorecards] == ["first", "second"]
    trends = {t.dimension: t.scores for t in journey.trends}
    assert trends == {"preparation": (2, 4), "composure": (3, None)}
    assert journey.current_stage == "second"
    assert [r.dimension for r in journey.ratings] == ["preparation"]
    assert {t.dimension: t.scores for t in early.trends} == {
        "preparation": (2,),
        "composure": (3,),
    }
    assert second.id not in {s.feedback_id for s in early.scorecards}


def test_ratings_bands_and_action_plan(candidate, recruiter, position):
    feedback = scorecard(
        interview(candidate, recruiter, position),
        recruiter,
        examples={Dimension.QUESTIONS: "You asked how the team prioritises requests."},
    )

    data = build_interview_report(feedback.id)

    bands = {r.dimension: (r.score, r.band) for r in data.ratings}
    assert bands["preparation"] == (1, "developing")
    assert bands["exchange"] == (3, "solid")
    assert bands["composure"] == (5, "strong")
    assert [r.dimension for r in data.ratings][0] == "presence"
    questions = next(r for r in data.ratings if r.dimension == "questions")
    assert questions.example == "You asked how the team prioritises requests."
    assert [a.dimension for a in data.action_plan] == ["preparation", "questions"]
    assert data.action_plan[0].practice == GUIDES[Dimension.PREPARATION].practice
    assert data.checklist[:2] == tuple(a.practice for a in data.action_plan)
    assert "Prepare two short stories with a clear result." in data.checklist


def test_stepper_fills_the_current_stage_and_marks_an_invitation(candidate, recruiter, position):
    feedback = scorecard(interview(candidate, recruiter, position, Stage.SECOND), recruiter)

    steps = {s.stage: s.state for s in build_interview_report(feedback.id).stages}

    assert steps == {
        "application": "done",
        "first": "done",
        "second": "current",
        "final": "next",
        "offer": "upcoming",
    }


def test_gains_when_everything_came_through(candidate, recruiter, position, partner):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    referral(candidate, recruiter, company=partner, feedback=feedback)
    referral(candidate, recruiter, company=partner, role_title="BI Lead", feedback=feedback)

    gains = build_interview_report(feedback.id).gains

    assert [(g.number, g.status, g.achieved) for g in gains] == [
        (1, "Invited", True),
        (2, "Two leads", True),
        (3, "Three things to practise", True),
        (4, "Insight shared", True),
    ]
    assert gains[0].detail == "20 March 2026: A case study with the analytics lead."
    assert "Bluepeak Software" in gains[1].detail


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (Decision.DECLINE, "Not this time"),
        (Decision.HOLD, "Not yet decided"),
        (None, "Not yet decided"),
    ],
)
def test_gains_say_honestly_when_something_did_not_come_through(
    candidate, recruiter, position, decision, status
):
    feedback = scorecard(
        interview(candidate, recruiter, position),
        recruiter,
        decision=decision,
        next_step=None,
        next_step_on=None,
        insight_plans=None,
        insight_competitors=None,
        insight_markets=None,
        insight_role_fit="  ",
    )

    gains = build_interview_report(feedback.id).gains

    assert [(g.status, g.achieved) for g in gains] == [
        (status, False),
        ("Not this time", False),
        ("Three things to practise", True),
        ("Not this time", False),
    ]


def test_skills_gain_without_ratings_or_suggestions(candidate, recruiter, position):
    feedback = scorecard(
        interview(candidate, recruiter, position),
        recruiter,
        scores={},
        practice_suggestions=None,
    )

    data = build_interview_report(feedback.id)

    assert data.gains[2].status == "Not this time"
    assert data.action_plan == ()


def test_report_data_ignores_what_the_candidate_may_not_see(
    candidate, recruiter, position, partner
):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    referral(candidate, recruiter, company=partner, feedback=feedback)
    before = canonical_json(build_interview_report(feedback.id))

    # None of these change what the candidate may see.
    feedback.private_notes = "Changed private notes"
    feedback.strengths = "Unreleased edit"
    referral(candidate, recruiter, status=ReferralStatus.PROPOSED, feedback=feedback)
    scorecard(
        interview(candidate, recruiter, position, Stage.SECOND, day=9),
        recruiter,
        state=FeedbackState.DRAFT,
    )
    db.session.expire_all()

    after = build_interview_report(feedback.id)
    assert canonical_json(after) == before


def test_report_data_changes_with_a_new_revision(candidate, recruiter, position):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    before = canonical_json(build_interview_report(feedback.id))

    feedback.improvements = "Lead with the result, then the background."
    release(feedback, reason="Amended wording")

    assert canonical_json(build_interview_report(feedback.id)) != before


def test_report_data_changes_with_a_referral_state(candidate, recruiter, position, partner):
    feedback = scorecard(interview(candidate, recruiter, position), recruiter)
    item = referral(candidate, recruiter, company=partner, feedback=feedback)
    before = canonical_json(build_journey_report(candidate.id))

    item.status = ReferralStatus.CONSENTED
    commit()

    after = build_journey_report(candidate.id)
    assert after.referrals[0].state_label == "You are interested"
    assert canonical_json(after) != before
