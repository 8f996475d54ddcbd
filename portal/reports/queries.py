"""The report builders: what a report reads from the database, then assembled by wording.

The builders read the latest released revision of each *released* scorecard (never the live
scorecard columns, so never private notes or unreleased edits) and the candidate's referrals
from "approved" onwards (`VISIBLE_STATUSES`). Everything the PDF shows is decided by
portal/reports/wording.py; the templates only lay it out.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from portal.extensions import db
from portal.models import (
    VISIBLE_STATUSES,
    Candidate,
    CandidateAnswer,
    Company,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    GainAnswer,
    Interview,
    PartnerContact,
    Position,
    Referral,
)
from portal.models import Gain as GainKey
from portal.reports.types import ReportData, ReportUnavailable, SaidGain, SaidWords
from portal.reports.wording import ReleasedScorecard, assemble, order_key


def build_interview_report(feedback_id: int) -> ReportData:
    """The report for one released scorecard.

    Its trend covers the candidate's released scorecards up to and including this interview,
    so the report of an earlier interview does not change when a later one is released; its
    referrals and leads are the visible ones the recruiter linked to this scorecard.
    Raises ReportUnavailable unless the scorecard is released.
    """
    candidate = db.session.scalars(
        select(Candidate)
        .join(Interview, Interview.candidate_id == Candidate.id)
        .join(Feedback, Feedback.interview_id == Interview.id)
        .where(Feedback.id == feedback_id, Feedback.state == FeedbackState.RELEASED)
        .options(load_only(Candidate.id, Candidate.name, Candidate.erased_at))
    ).first()
    if candidate is None or candidate.erased_at is not None:
        raise ReportUnavailable(f"feedback {feedback_id} has no released report")
    scorecards = _released_scorecards(candidate.id)
    target = next((s for s in scorecards if s.feedback_id == feedback_id), None)
    if target is None:
        raise ReportUnavailable(f"feedback {feedback_id} has no released revision")
    covered = [s for s in scorecards if order_key(s) <= order_key(target)]
    referrals = _visible_referrals(candidate.id, feedback_id=feedback_id)
    return assemble("interview", candidate.name, covered, target, referrals)


def build_journey_report(candidate_id: int, *, with_say: bool = True) -> ReportData:
    """The cumulative "selection journey" report over all of a candidate's released feedback.

    Ratings, strengths and the action plan come from the latest released scorecard (where the
    candidate stands now); the trend and the company insight span all of them; referrals and
    leads are all of the candidate's visible ones. Raises ReportUnavailable when nothing is
    released yet.
    """
    candidate = db.session.scalars(
        select(Candidate)
        .where(Candidate.id == candidate_id)
        .options(load_only(Candidate.id, Candidate.name, Candidate.erased_at))
    ).first()
    if candidate is None or candidate.erased_at is not None:
        raise ReportUnavailable(f"candidate {candidate_id} has no report")
    scorecards = _released_scorecards(candidate.id)
    if not scorecards:
        raise ReportUnavailable(f"candidate {candidate_id} has no released feedback")
    referrals = _visible_referrals(candidate.id)
    data = assemble("journey", candidate.name, scorecards, scorecards[-1], referrals)
    return _with_say(data, candidate.id) if with_say else data


def _with_say(data: ReportData, candidate_id: int) -> ReportData:
    """The candidate's own answers on their released feedback (one query): how many said
    yes, partly or no to each gain, and their comments in their words."""
    rows = db.session.execute(
        select(CandidateAnswer, Interview.stage, Interview.scheduled_at)
        .join(Feedback, Feedback.id == CandidateAnswer.feedback_id)
        .join(Feedback.interview)
        .where(
            CandidateAnswer.candidate_id == candidate_id,
            Feedback.state == FeedbackState.RELEASED,
        )
        .order_by(Interview.scheduled_at, CandidateAnswer.id)
    ).all()
    answers = [row[0] for row in rows]
    said = tuple(
        SaidGain(
            label=gain.label,
            yes=sum(1 for a in answers if a.gain(gain) is GainAnswer.YES),
            partly=sum(1 for a in answers if a.gain(gain) is GainAnswer.PARTLY),
            no=sum(1 for a in answers if a.gain(gain) is GainAnswer.NO),
        )
        for gain in GainKey
    )
    words = tuple(
        SaidWords(stage_label=stage.label, interview_date=at.date(), text=answer.comment)
        for answer, stage, at in rows
        if answer.comment
    )
    return replace(data, say_shown=True, answered=len(answers), said=said, said_words=words)


def _released_scorecards(candidate_id: int) -> list[ReleasedScorecard]:
    """The latest revision of every released scorecard of one candidate, in interview order.

    One query. Only the columns listed are loaded, so private notes and the live (possibly
    edited, unreleased) scorecard columns are never read from the database at all.
    """
    # Feedback.revision is the number of its latest released revision: joining on it reads
    # one revision per scorecard by the (feedback_id, number) key, for this candidate only.
    revisions = db.session.scalars(
        select(FeedbackRevision)
        .join(
            Feedback,
            and_(
                FeedbackRevision.feedback_id == Feedback.id,
                FeedbackRevision.number == Feedback.revision,
            ),
        )
        .join(Feedback.interview)
        .join(Interview.position)
        .join(Position.company)
        .where(Interview.candidate_id == candidate_id, Feedback.state == FeedbackState.RELEASED)
        .options(
            load_only(
                FeedbackRevision.feedback_id,
                FeedbackRevision.number,
                FeedbackRevision.content,
                FeedbackRevision.reason,
                FeedbackRevision.released_at,
            ),
            contains_eager(FeedbackRevision.feedback)
            .load_only(Feedback.id, Feedback.state, Feedback.interview_id)
            .contains_eager(Feedback.interview)
            .load_only(
                Interview.id, Interview.candidate_id, Interview.stage, Interview.scheduled_at
            )
            .contains_eager(Interview.position)
            .load_only(Position.id, Position.title)
            .contains_eager(Position.company)
            .load_only(Company.id, Company.name),
        )
    ).all()
    scorecards = [
        ReleasedScorecard(
            feedback_id=r.feedback_id,
            revision=r.number,
            released_on=r.released_at.date(),
            interview_at=r.feedback.interview.scheduled_at,
            stage=r.feedback.interview.stage,
            company=r.feedback.interview.position.company.name,
            position_title=r.feedback.interview.position.title,
            content=r.content or {},
            reason=r.reason,
        )
        for r in revisions
    ]
    return sorted(scorecards, key=order_key)


def _visible_referrals(candidate_id: int, feedback_id: int | None = None) -> list[Referral]:
    """The candidate's referrals and leads from "approved" on, oldest first (one query)."""
    conditions = [
        Referral.candidate_id == candidate_id,
        Referral.status.in_(VISIBLE_STATUSES),
    ]
    if feedback_id is not None:
        conditions.append(Referral.feedback_id == feedback_id)
    return list(
        db.session.scalars(
            select(Referral)
            .where(*conditions)
            .order_by(Referral.created_at, Referral.id)
            .options(
                load_only(
                    Referral.id,
                    Referral.kind,
                    Referral.lead_kind,
                    Referral.status,
                    Referral.role_title,
                    Referral.market,
                    Referral.note_to_candidate,
                    Referral.status_changed_at,
                ),
                joinedload(Referral.company).load_only(Company.id, Company.name),
                joinedload(Referral.contact)
                .load_only(PartnerContact.id, PartnerContact.company_id)
                .joinedload(PartnerContact.company)
                .load_only(Company.id, Company.name),
            )
        ).unique()
    )
