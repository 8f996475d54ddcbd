"""The admin board: filtering, the list and the columns by status, and the pipeline metrics.

Every page here costs a fixed number of queries whatever the number of referrals: the
related rows a page shows are joined in, the board's columns come from one windowed
query, and the metrics are aggregates plus one pass over the transitions.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.extensions import db
from portal.models import (
    Candidate,
    Company,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    User,
    utcnow,
)
from portal.referrals.pipeline import OPEN_STATUSES

BOARD_COLUMN_LIMIT = 20
PIPELINE = (
    ReferralStatus.PROPOSED,
    ReferralStatus.APPROVED,
    ReferralStatus.CONSENTED,
    ReferralStatus.INTRODUCED,
    ReferralStatus.INTERVIEWING,
    ReferralStatus.HIRED,
)


@dataclass(frozen=True)
class BoardFilters:
    status: ReferralStatus | None = None
    open_only: bool = False
    kind: ReferralKind | None = None
    recruiter_id: int | None = None
    owner_id: int | None = None
    unowned: bool = False
    company_id: int | None = None
    overdue: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return any(
            [
                self.status,
                self.open_only,
                self.kind,
                self.recruiter_id,
                self.owner_id,
                self.unowned,
                self.company_id,
                self.overdue,
                self.q,
            ]
        )


def filtered(filters: BoardFilters, today: date | None = None) -> Select:
    """Referrals matching the filters (no ordering, no loading options)."""
    query = select(Referral)
    if filters.status is not None:
        query = query.where(Referral.status == filters.status)
    if filters.open_only:
        query = query.where(Referral.status.in_(OPEN_STATUSES))
    if filters.kind is not None:
        query = query.where(Referral.kind == filters.kind)
    if filters.recruiter_id is not None:
        query = query.where(Referral.proposed_by_id == filters.recruiter_id)
    if filters.owner_id is not None:
        query = query.where(Referral.owner_id == filters.owner_id)
    if filters.unowned:
        query = query.where(Referral.owner_id.is_(None))
    if filters.company_id is not None:
        query = query.where(Referral.company_id == filters.company_id)
    if filters.overdue:
        query = query.where(
            Referral.status.in_(OPEN_STATUSES),
            Referral.follow_up_on < (today or utcnow().date()),
        )
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(
            Referral.candidate.has(
                or_(
                    Candidate.name.ilike(like, escape="\\"),
                    Candidate.email.ilike(like, escape="\\"),
                )
            )
        )
    return query


# What a row shows, loaded in the same query: candidate, company, contact, people.
DISPLAY = (
    joinedload(Referral.candidate),
    joinedload(Referral.company),
    joinedload(Referral.contact),
    joinedload(Referral.proposed_by),
    joinedload(Referral.owner),
)


def with_display(query: Select) -> Select:
    return query.options(*DISPLAY)


def list_query(filters: BoardFilters) -> Select:
    """The filtered list, overdue follow-ups first, then the most recently changed."""
    return with_display(filtered(filters)).order_by(
        Referral.follow_up_on.is_(None),
        Referral.follow_up_on,
        Referral.status_changed_at.desc(),
        Referral.id.desc(),
    )


@dataclass
class Column:
    status: ReferralStatus
    total: int
    items: list[Referral] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def board_columns(filters: BoardFilters, limit: int = BOARD_COLUMN_LIMIT) -> list[Column]:
    """One column per status, each with its count and its most recently changed items.

    Two queries: the counts, and the first `limit` items of every column at once.
    """
    ids = filtered(filters).with_only_columns(Referral.id).subquery()
    counts = dict(
        db.session.execute(
            select(Referral.status, func.count())
            .where(Referral.id.in_(select(ids.c.id)))
            .group_by(Referral.status)
        ).all()
    )
    ranked = (
        filtered(filters)
        .with_only_columns(
            Referral.id.label("id"),
            func.row_number()
            .over(
                partition_by=Referral.status,
                order_by=(Referral.status_changed_at.desc(), Referral.id.desc()),
            )
            .label("position"),
        )
        .subquery()
    )
    items = db.session.scalars(
        with_display(select(Referral))
        .join(ranked, ranked.c.id == Referral.id)
        .where(ranked.c.position <= limit)
        .order_by(ranked.c.position)
    ).all()
    columns = {s: Column(s, counts.get(s, 0)) for s in ReferralStatus}
    for referral in items:
        columns[referral.status].items.append(referral)
    return list(columns.values())


# --- metrics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Metrics:
    total: int
    hired: int
    by_stage: list[Bar]
    reached: list[Bar]
    median_days: list[Bar]
    per_recruiter: list[Bar]

    @property
    def conversion(self) -> float | None:
        return round(100 * self.hired / self.total, 1) if self.total else None


def metrics(filters: BoardFilters) -> Metrics:
    """Counts by stage, how many reached each stage, median days per stage, per recruiter.

    Medians use completed stays only (from entering a stage to the next transition), so an
    item still sitting in a stage does not pull its figure down. Four queries.
    """
    ids = select(filtered(filters).with_only_columns(Referral.id).subquery().c.id)
    counts = dict(
        db.session.execute(
            select(Referral.status, func.count())
            .where(Referral.id.in_(ids))
            .group_by(Referral.status)
        ).all()
    )
    total = sum(counts.values())
    by_stage = [Bar(s.label, counts.get(s, 0), str(counts.get(s, 0))) for s in ReferralStatus]

    stays: dict[ReferralStatus, list[float]] = defaultdict(list)
    reached: dict[ReferralStatus, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(ReferralTransition.referral_id, ReferralTransition.to_status, ReferralTransition.at)
        .where(ReferralTransition.referral_id.in_(ids))
        .order_by(ReferralTransition.referral_id, ReferralTransition.at, ReferralTransition.id)
    )
    previous = None
    for referral_id, status, at in rows:
        reached[status].add(referral_id)
        if previous is not None and previous[0] == referral_id:
            stays[previous[1]].append((at - previous[2]).total_seconds() / 86400)
        previous = (referral_id, status, at)

    medians = []
    for status in PIPELINE[:-1]:
        values = stays.get(status)
        median = round(statistics.median(values), 1) if values else None
        medians.append(
            Bar(
                status.label,
                median or 0,
                f"{median:g} days ({len(values)} {'stay' if len(values) == 1 else 'stays'})"
                if values
                else "no completed stays",
            )
        )
    proposer = aliased(User)
    per_recruiter = [
        Bar(name, n, str(n))
        for name, n in db.session.execute(
            select(proposer.name, func.count(Referral.id))
            .join(proposer, proposer.id == Referral.proposed_by_id)
            .where(Referral.id.in_(ids))
            .group_by(proposer.id, proposer.name)
            .order_by(func.count(Referral.id).desc(), proposer.name)
        )
    ]
    return Metrics(
        total=total,
        hired=counts.get(ReferralStatus.HIRED, 0),
        by_stage=by_stage,
        reached=[Bar(s.label, len(reached[s]), str(len(reached[s]))) for s in PIPELINE],
        median_days=medians,
        per_recruiter=per_recruiter,
    )


def filter_options() -> tuple[list[User], list[Company]]:
    """People who proposed or own referrals, and the companies referrals point to."""
    people = db.session.scalars(
        select(User)
        .where(
            or_(
                User.id.in_(select(Referral.proposed_by_id)),
                User.id.in_(select(Referral.owner_id).where(Referral.owner_id.is_not(None))),
            )
        )
        .order_by(User.name)
    ).all()
    companies = db.session.scalars(
        select(Company)
        .where(Company.id.in_(select(Referral.company_id).where(Referral.company_id.is_not(None))))
        .order_by(func.lower(Company.name))
    ).all()
    return list(people), list(companies)
