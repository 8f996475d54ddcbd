"""Interviews: scheduling them, and the search and filters of the recruiting lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from portal import audit, events
from portal.extensions import db
from portal.feedback import panel
from portal.models import (
    STAFF,
    Candidate,
    Company,
    Feedback,
    FeedbackState,
    Interview,
    InterviewFormat,
    Position,
    Stage,
    User,
)
from portal.permissions import ERASED_MESSAGE, is_erased
from portal.unit_of_work import DomainError


class InterviewError(DomainError):
    """The message is safe to show next to the form."""


@dataclass(frozen=True)
class ListFilters:
    q: str = ""
    stage: Stage | None = None
    state: FeedbackState | None = None
    without_feedback: bool = False
    recruiter_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = ""

    @property
    def active(self) -> bool:
        return any(
            [
                self.q,
                self.stage,
                self.state,
                self.without_feedback,
                self.recruiter_id,
                self.date_from,
                self.date_to,
            ]
        )


def save_interview(
    interview: Interview | None,
    *,
    actor: User,
    candidate_id: int,
    position_id: int,
    interviewer_id: int,
    stage: Stage,
    format: InterviewFormat,
    scheduled_at: datetime,
    location: str | None,
    panel_ids: list[int] | None = None,
    duration_minutes: int | None = None,
    external_source: str | None = None,
    external_id: str | None = None,
) -> Interview:
    """Schedule an interview (`interview` None) or change one. `external_source` and
    `external_id` are set on a new interview only: which record another system holds it as."""
    if interview is not None and is_erased(interview.candidate):
        raise InterviewError(ERASED_MESSAGE)
    candidate = db.session.get(Candidate, candidate_id)
    position = db.session.get(Position, position_id)
    interviewer = db.session.get(User, interviewer_id)
    if candidate is None or candidate.erased_at is not None:
        raise InterviewError("Choose a candidate from the list.", field="candidate_id")
    if position is None:
        raise InterviewError("Choose a position from the list.", field="position_id")
    if interview is not None and interview.feedback:
        # Scorecards are about this candidate in this role: they never move to another.
        if candidate.id != interview.candidate_id:
            raise InterviewError(
                "This interview already has scorecards about its candidate; record a new "
                "interview for someone else.",
                field="candidate_id",
            )
        if position.id != interview.position_id:
            raise InterviewError(
                "This interview already has scorecards for its position; record a new "
                "interview for another position.",
                field="position_id",
            )
    keeps_lead = interview is not None and interview.interviewer_id == interviewer_id
    if interviewer is None or (
        not keeps_lead and not (interviewer.is_staff and interviewer.active)
    ):
        raise InterviewError(
            "The interviewer must be an active recruiter or admin.", field="interviewer_id"
        )
    # None keeps the panel as it is (a form that may not change it sends none).
    if panel_ids is None:
        panel_ids = [m.user_id for m in interview.panel] if interview else []
    people = _people(panel_ids)
    created = interview is None
    interview = interview or Interview(external_source=external_source, external_id=external_id)
    interview.candidate, interview.position, interview.interviewer = (
        candidate,
        position,
        interviewer,
    )
    interview.stage, interview.format = stage, format
    interview.scheduled_at = scheduled_at.replace(second=0, microsecond=0, tzinfo=None)
    interview.duration_minutes = duration_minutes or 60
    interview.location = (location or "").strip() or None
    db.session.add(interview)
    panel.set_panel(interview, people, lead=interviewer, actor=actor)
    db.session.flush()
    audit.record(
        "interview_created" if created else "interview_updated",
        interview,
        actor=actor,
        candidate_id=candidate.id,
        stage=stage.value,
    )
    if created:
        events.interview_created.send(interview, actor=actor)
    return interview


def upsert_interview(
    *,
    source: str,
    external_id: str,
    actor: User,
    candidate_id: int,
    position_id: int,
    interviewer_id: int,
    stage: Stage,
    format: InterviewFormat,
    scheduled_at: datetime,
    location: str | None,
    duration_minutes: int | None = None,
    panel_ids: list[int] | None = None,
) -> tuple[Interview, str]:
    """The interview another system knows as `external_id` in `source`, scheduled or brought
    up to date through `save_interview` (all its rules): "created", "updated", or "unchanged"
    when every field already equals (nothing written, no audit event). `panel_ids` None keeps
    the panel as it is."""
    interview = db.session.scalar(
        select(Interview).where(
            Interview.external_source == source, Interview.external_id == external_id
        )
    )
    fields = dict(
        actor=actor,
        candidate_id=candidate_id,
        position_id=position_id,
        interviewer_id=interviewer_id,
        stage=stage,
        format=format,
        scheduled_at=scheduled_at,
        location=location,
        panel_ids=panel_ids,
        duration_minutes=duration_minutes,
    )
    if interview is None:
        created = save_interview(None, **fields, external_source=source, external_id=external_id)
        return created, "created"
    if not is_erased(interview.candidate) and _same_interview(interview, fields):
        return interview, "unchanged"
    return save_interview(interview, **fields), "updated"


def _same_interview(interview: Interview, fields: dict) -> bool:
    """Whether saving `fields` would leave the interview as it is (as save_interview
    normalises them: minutes, no seconds, naive UTC; a blank location is none)."""
    wanted_panel = fields["panel_ids"]
    if wanted_panel is not None:
        members = {m.user_id for m in interview.panel}
        if members != {fields["interviewer_id"], *wanted_panel}:
            return False
    return (
        interview.candidate_id,
        interview.position_id,
        interview.interviewer_id,
        interview.stage,
        interview.format,
        interview.scheduled_at,
        interview.duration_minutes,
        interview.location,
    ) == (
        fields["candidate_id"],
        fields["position_id"],
        fields["interviewer_id"],
        fields["stage"],
        fields["format"],
        fields["scheduled_at"].replace(second=0, microsecond=0, tzinfo=None),
        fields["duration_minutes"] or 60,
        (fields["location"] or "").strip() or None,
    )


def _people(ids: list[int]) -> list[User]:
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    if len(found) != len(set(ids)):
        raise InterviewError("Choose panel members from the list.", field="panel_ids")
    return [found[i] for i in ids]


def interviewers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(STAFF), User.active.is_(True)).order_by(User.name)
        )
    )


def _interview_conditions(f: ListFilters) -> list[ColumnElement[bool]]:
    """Conditions on an Interview (joined to its Position and Company) for the filters."""
    conditions: list[ColumnElement[bool]] = []
    if f.stage:
        conditions.append(Interview.stage == f.stage)
    if f.recruiter_id:
        conditions.append(Interview.interviewer_id == f.recruiter_id)
    if f.date_from:
        conditions.append(Interview.scheduled_at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        conditions.append(
            Interview.scheduled_at < datetime.combine(f.date_to + timedelta(days=1), time.min)
        )
    if f.state:
        conditions.append(
            exists().where(Feedback.interview_id == Interview.id, Feedback.state == f.state)
        )
    if f.without_feedback:
        conditions.append(~exists().where(Feedback.interview_id == Interview.id))
    return conditions


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Search is a case-insensitive substring match, written as lower(column) LIKE lower('%term%')
# so that PostgreSQL answers it from the pg_trgm GIN indexes on lower(column) (see
# portal/models/recruiting.py and docs/scale.md). SQLite has no trigram index; there the same
# SQL scans the (single-host sized) tables.
#
# A search first looks up which candidates and positions match (small indexed queries), then
# filters the list by those ids, so the planner knows how many rows it is after: a handful are
# fetched by key and sorted; when there are more than MATCHED_IDS_LIMIT (a common term), the
# list keeps the term as a condition and walks its order index until the page is full. Either
# way a page costs about the same at 1,000 or 20,000 candidates.
MATCHED_IDS_LIMIT = 2000


def _contains(column: ColumnElement[str], like: str) -> ColumnElement[bool]:
    return func.lower(column).like(func.lower(like), escape="\\")


def _candidates_named(like: str) -> Select[tuple[int]]:
    """Ids of candidates whose name or email contains the term."""
    return select(Candidate.id).where(
        or_(_contains(Candidate.name, like), _contains(Candidate.email, like))
    )


def _positions_named(like: str) -> Select[tuple[int]]:
    """Ids of positions whose title, or company's name, contains the term."""
    return (
        select(Position.id)
        .join(Position.company)
        .where(or_(_contains(Position.title, like), _contains(Company.name, like)))
    )


def _candidate_not_erased() -> ColumnElement[bool]:
    # An anti-join against the (few, indexed) erased candidates: cheaper than joining every
    # interview to its candidate, which matters for the page count over all interviews.
    erased = select(Candidate.id).where(
        Candidate.id == Interview.candidate_id, Candidate.erased_at.is_not(None)
    )
    return ~erased.correlate_except(Candidate).exists()


def _ids_or_query(query: Select[tuple[int]]) -> list[int] | Select[tuple[int]]:
    """The ids the query finds, or the query itself when they are too many to list."""
    ids = list(db.session.scalars(query.limit(MATCHED_IDS_LIMIT + 1)))
    return query if len(ids) > MATCHED_IDS_LIMIT else ids


def _among(column: ColumnElement[int], ids: list[int] | Select[tuple[int]]) -> ColumnElement[bool]:
    """column IN ids. On PostgreSQL a list of ids travels as one array parameter, which is
    much cheaper to send and plan than thousands of separate ones."""
    if isinstance(ids, list) and db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def interview_query(f: ListFilters) -> Select[tuple[Interview]]:
    query = select(Interview).where(_candidate_not_erased(), *_interview_conditions(f))
    if f.q:
        like = _like(f.q)
        query = query.where(
            or_(
                _among(Interview.candidate_id, _ids_or_query(_candidates_named(like))),
                _among(Interview.position_id, _ids_or_query(_positions_named(like))),
            )
        )
    if f.sort == "candidate":
        query = query.join(Interview.candidate)
        return query.order_by(func.lower(Candidate.name).asc(), Interview.id.desc())
    order = Interview.scheduled_at.asc() if f.sort == "date" else Interview.scheduled_at.desc()
    return query.order_by(order, Interview.id.desc())


INTERVIEW_SORTS = [("", "Newest first"), ("date", "Oldest first"), ("candidate", "Candidate name")]
CANDIDATE_SORTS = [("", "Name"), ("newest", "Recently added"), ("recent", "Latest interview")]


def candidate_query(f: ListFilters) -> Select[tuple[Candidate]]:
    query = select(Candidate).where(Candidate.erased_at.is_(None))
    interview_filters = _interview_conditions(f)
    if interview_filters:
        query = query.where(
            exists().where(Interview.candidate_id == Candidate.id, and_(*interview_filters))
        )
    if f.q:
        like = _like(f.q)
        named = _ids_or_query(_candidates_named(like))
        at_position = _ids_or_query(
            select(Interview.candidate_id)
            .where(_among(Interview.position_id, _ids_or_query(_positions_named(like))))
            .distinct()
        )
        if isinstance(named, list) and isinstance(at_position, list):
            query = query.where(_among(Candidate.id, sorted(set(named) | set(at_position))))
        else:
            # Many matches: one condition per row, so that PostgreSQL walks the list's order
            # index and stops at the page's last match.
            query = query.where(
                or_(
                    _contains(Candidate.name, like),
                    _contains(Candidate.email, like),
                    _among(Candidate.id, at_position),
                )
            )
    if f.sort == "newest":
        return query.order_by(Candidate.created_at.desc(), Candidate.id.desc())
    if f.sort == "recent":
        latest = (
            select(func.max(Interview.scheduled_at))
            .where(Interview.candidate_id == Candidate.id)
            .scalar_subquery()
        )
        return query.order_by(latest.desc().nulls_last(), Candidate.id)
    return query.order_by(func.lower(Candidate.name), Candidate.id)
