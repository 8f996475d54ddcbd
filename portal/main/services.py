"""What the recruiter dashboard shows: work waiting for me, and how my interviews went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal import cache as stamps
from portal.extensions import cache, db
from portal.models import (
    SUBMITTED_STATES,
    Candidate,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackState,
    Interview,
    PanelMember,
    Position,
    Rating,
    SkillRating,
    TemplateVersion,
    User,
    utcnow,
)
from portal.rubric import GUIDES
from portal.scorecards.definition import Definition

LIST_LIMIT = 8
# Interviews older than this without a scorecard are left to the interview list's "without
# feedback" filter: the dashboard looks back a quarter, so it costs the same in any year.
AWAITING_WINDOW = timedelta(days=90)
# The averages aggregate every rating the team has given (hundreds of thousands of rows in a
# large firm); they are kept under the `scores` stamp (portal/cache.py), which every committed
# change to a submitted or released scorecard bumps, and for at most this long.
AVERAGES_SECONDS = 600


@dataclass(frozen=True)
class DimensionAverage:
    dimension: Dimension
    label: str
    average: float | None
    count: int


@dataclass(frozen=True)
class Awaiting:
    """A scorecard still missing: mine, or, on a panel I lead, a member's."""

    interview: Interview
    member: User
    mine: bool


def awaiting_feedback(user: User) -> list[Awaiting]:
    """This quarter's past interviews with a scorecard missing, oldest first: those I sit on
    without a scorecard of mine, and on panels I lead, each member who has not submitted."""
    member = aliased(User)
    any_card = exists().where(
        Feedback.interview_id == Interview.id,
        Feedback.author_id == PanelMember.user_id,
        Feedback.kind == FeedbackKind.MEMBER,
    )
    submitted_card = any_card.where(Feedback.state.in_(SUBMITTED_STATES))
    released = exists().where(
        Feedback.interview_id == Interview.id, Feedback.state == FeedbackState.RELEASED
    )
    now = utcnow()
    rows = db.session.execute(
        select(Interview, member)
        .join(PanelMember, PanelMember.interview_id == Interview.id)
        .join(member, member.id == PanelMember.user_id)
        .join(Interview.candidate)
        .where(
            Interview.scheduled_at.between(now - AWAITING_WINDOW, now),
            Candidate.erased_at.is_(None),
            ~released,
            or_(
                and_(PanelMember.user_id == user.id, ~any_card),
                and_(
                    Interview.interviewer_id == user.id,
                    PanelMember.user_id != user.id,
                    ~submitted_card,
                ),
            ),
        )
        .options(
            joinedload(Interview.candidate),
            joinedload(Interview.position).joinedload(Position.company),
        )
        .order_by(Interview.scheduled_at.asc(), Interview.id, member.name)
        .limit(LIST_LIMIT)
    ).all()
    return [Awaiting(interview, person, person.id == user.id) for interview, person in rows]


def my_feedback(user: User, state: FeedbackState) -> list[Feedback]:
    """My scorecards in this state. Submitted ones are those waiting for me to release: my
    own where I interviewed alone, and the panel's feedback I write as the lead (a member's
    scorecard on a panel is submitted to the panel, not released)."""
    # Mine: my own scorecards, and the panel's feedback of the interviews I lead now.
    led = select(Interview.id).where(Interview.interviewer_id == user.id)
    mine = or_(
        and_(Feedback.kind == FeedbackKind.MEMBER, Feedback.author_id == user.id),
        and_(Feedback.kind == FeedbackKind.PANEL, Feedback.interview_id.in_(led)),
    )
    conditions = [mine, Feedback.state == state]
    if state is FeedbackState.SUBMITTED:
        alone = ~exists().where(
            PanelMember.interview_id == Feedback.interview_id,
            PanelMember.user_id != Feedback.author_id,
        )
        conditions.append(or_(Feedback.kind == FeedbackKind.PANEL, alone))
    order = (
        Feedback.released_at.desc()
        if state is FeedbackState.RELEASED
        else Feedback.updated_at.desc()
    )
    return list(
        db.session.scalars(
            select(Feedback)
            .where(*conditions)
            .options(
                joinedload(Feedback.interview).joinedload(Interview.candidate),
                joinedload(Feedback.interview).joinedload(Interview.position),
            )
            .order_by(order)
            .limit(LIST_LIMIT)
        )
    )


def engagement_averages(user: User | None) -> list[DimensionAverage]:
    """Average rating per dimension over submitted and released scorecards.

    With no user, the averages are the whole team's. Served from the cache while no scorecard
    has changed (the `scores` stamp) and for at most AVERAGES_SECONDS.
    """
    key = stamps.averages_key("engagement", user.id if user is not None else None)
    rows = cache.get(key)
    if rows is None:
        rows = _average_rows(user)
        cache.set(key, rows, timeout=AVERAGES_SECONDS)
    return [
        DimensionAverage(
            dim,
            GUIDES[dim].label,
            round(rows[dim.value][0], 1) if dim.value in rows else None,
            rows.get(dim.value, (0, 0))[1],
        )
        for dim in Dimension
    ]


def _average_rows(user: User | None) -> dict[str, tuple[float, int]]:
    query = (
        select(Rating.dimension, func.avg(Rating.score), func.count(Rating.score))
        .join(Rating.feedback)
        .where(
            Feedback.state.in_(SUBMITTED_STATES),
            Rating.score.is_not(None),
        )
        .group_by(Rating.dimension)
    )
    if user is not None:
        query = query.where(Feedback.author_id == user.id)
    return {dim.value: (float(avg), count) for dim, avg, count in db.session.execute(query)}


SKILL_AVERAGES_SHOWN = 6


@dataclass(frozen=True)
class SkillAverage:
    key: str
    label: str
    average: float | None
    count: int


def role_skill_averages(user: User) -> tuple[list[SkillAverage], list[SkillAverage]]:
    """The role skills the team rates most (by key, across templates: a key means one skill),
    with my average and the team's, aligned row by row. Cached like the engagement averages."""
    key = stamps.averages_key("skills", user.id)
    cached = cache.get(key)
    if cached is None:
        cached = (_skill_rows(None), _skill_rows(user), _skill_labels())
        cache.set(key, cached, timeout=AVERAGES_SECONDS)
    team, mine, labels = cached
    keys = sorted(team, key=lambda k: (-team[k][1], labels.get(k, k)))[:SKILL_AVERAGES_SHOWN]

    def row(rows: dict[str, tuple[float, int]], k: str) -> SkillAverage:
        average, count = rows.get(k, (None, 0))
        shown = round(average, 1) if average is not None else None
        return SkillAverage(k, labels.get(k, k.replace("_", " ").capitalize()), shown, count)

    return [row(mine, k) for k in keys], [row(team, k) for k in keys]


def _skill_rows(user: User | None) -> dict[str, tuple[float, int]]:
    query = (
        select(SkillRating.skill_key, func.avg(SkillRating.score), func.count(SkillRating.score))
        .join(Feedback, Feedback.id == SkillRating.feedback_id)
        .where(Feedback.state.in_(SUBMITTED_STATES), SkillRating.score.is_not(None))
        .group_by(SkillRating.skill_key)
    )
    if user is not None:
        query = query.where(Feedback.author_id == user.id)
    return {k: (float(avg), count) for k, avg, count in db.session.execute(query)}


def _skill_labels() -> dict[str, str]:
    """Each skill key's name, as the newest template version that has it spells it."""
    labels: dict[str, str] = {}
    for definition in db.session.scalars(
        select(TemplateVersion.definition).order_by(TemplateVersion.created_at, TemplateVersion.id)
    ):
        for skill in Definition.from_json(definition).skills:
            labels[skill.key] = skill.name
    return labels


def state_counts(user: User | None) -> dict[FeedbackState, int]:
    query = select(Feedback.state, func.count()).group_by(Feedback.state)
    if user is not None:
        query = query.where(Feedback.author_id == user.id)
    counts = dict(db.session.execute(query).all())
    return {state: counts.get(state, 0) for state in FeedbackState}
