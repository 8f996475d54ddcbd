"""`flask seed-scale`: realistic volumes for load tests and query plans, in bulk inserts.

For N candidates it makes about 5·N interviews, one scorecard (with six ratings) per past
interview, a released revision for most of them, and N/2 referrals and leads with the
transitions that led to their state. Rows go in as multi-row INSERTs through SQLAlchemy Core
(no ORM objects, no per-row flush); ids come back with RETURNING in parameter order, so each
level of the tree is one round of statements. Every account shares one password hash: hashing
thousands of argon2 passwords would take longer than everything else together.
"""

from __future__ import annotations

import enum
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import click
from sqlalchemy import Table, func, insert, select, text, update

from portal.extensions import db
from portal.feedback.content import CANDIDATE_TEXT_FIELDS
from portal.feedback.services import weighted_score
from portal.models import (
    AuditEvent,
    Candidate,
    CandidateAnswer,
    Company,
    CompanyKind,
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackRevision,
    FeedbackState,
    FeedbackThread,
    GainAnswer,
    Interview,
    InterviewFormat,
    LeadKind,
    PanelMember,
    PartnerContact,
    Position,
    Rating,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    Role,
    Stage,
    ThreadKind,
    ThreadMessage,
    ThreadState,
    User,
    utcnow,
)
from portal.passwords import hash_password
from portal.scorecards.services import seed_library

SCALE_PASSWORD = "betteroff-scale"  # noqa: S105 - documented load-test login
ADMIN_EMAIL = "scale-admin@example.com"
RECRUITERS = 10
CHUNK = 5_000  # rows per execute(): bounded memory, and still few round trips

FIRST = (  # noqa: SIM905 - word lists read better as text
    "Maya Jonas Lena Amir Sofia Kwame Elena Tomasz Aisha Diego Hana Lukas Priya Mateo Ines "
    "Oskar Yara Noah Leila Marek Chloe Ravi Nora Felix Zainab Emil Camila Jun Freya Omar"
).split()
LAST = (  # noqa: SIM905
    "Chen Weber Fischer Haddad Rossi Mensah Petrova Nowak Khan Garcia Sato Becker Raman "
    "Silva Moreau Lind Okafor Novak Costa Berg Tanaka Ahmed Kowalski Murphy Dubois Rivera "
    "Nielsen Santos Yilmaz Brennan"
).split()
TITLES = (
    "Data Analyst",
    "Analytics Engineer",
    "Product Manager",
    "Backend Developer",
    "Operations Lead",
    "Supply Chain Planner",
    "UX Researcher",
    "Customer Success Manager",
    "Financial Controller",
    "Site Reliability Engineer",
)
INDUSTRIES = (
    "Analytics",
    "Health",
    "Logistics",
    "Energy",
    "Robotics",
    "Retail",
    "Finance",
    "Media",
)
STRENGTHS = (
    "You explained the dashboard rebuild step by step and tied each choice to a number.",
    "You asked who would use the report before proposing how to build it.",
    "You summarised the case in two sentences before going into detail.",
    "You described a failed launch openly and what you changed afterwards.",
)
IMPROVEMENTS = (
    "Your answer on stakeholder conflict stayed general; give one concrete example.",
    "Say what result your project had, not only what you did.",
    "Check the question before answering; twice you answered a neighbouring one.",
)
PRACTICE = (
    "Prepare two short stories with a clear result.\nRead the last two company announcements.",
    "Time yourself on a two-minute summary of your last project.\nWrite down three questions.",
)
INSIGHTS = (
    "The team is building self-service reporting next year.",
    "The company is opening an office for the Nordic market.",
    None,
)


@dataclass
class Counts:
    """How many rows of each kind were made (printed by the command)."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


def insert_rows(table: Table, rows: Sequence[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """Insert rows in bulk; the new ids, in the order of `rows`, when asked for.

    PostgreSQL gets COPY (ids reserved from the table's sequence first): several times faster
    than multi-row INSERTs, whose statements psycopg must parse with thousands of parameters.
    Other engines get multi-row INSERTs with RETURNING.
    """
    if not rows:
        return []
    if "updated_at" in table.c and "updated_at" not in rows[0]:
        # COPY knows no Python-side defaults: a row last changed when it was made (or moved).
        rows = [
            {**row, "updated_at": row.get("status_changed_at") or row.get("created_at")}
            for row in rows
        ]
    if db.engine.dialect.name == "postgresql":
        return _copy_rows(table, rows, ids=ids)
    conn = db.session.connection()
    new_ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if ids:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            new_ids.extend(conn.execute(stmt, chunk).scalars())
        else:
            conn.execute(insert(table), chunk)
    return new_ids


def _copy_rows(table: Table, rows: Sequence[dict[str, Any]], *, ids: bool) -> list[int]:
    from psycopg import sql  # the "postgres" extra, present whenever PostgreSQL is used

    columns = list(rows[0])
    raw = db.session.connection().connection.driver_connection
    new_ids: list[int] = []
    with raw.cursor() as cur:
        if ids:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table.name, len(rows)),
            )
            new_ids = [row[0] for row in cur.fetchall()]
        names = (["id"] if ids else []) + columns
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with cur.copy(statement) as copy:
            for i, row in enumerate(rows):
                values = [_plain(row[name]) for name in columns]
                copy.write_row([new_ids[i], *values] if ids else values)
    return new_ids


def _plain(value: Any) -> Any:
    """A value COPY understands: enums by their stored value, JSON columns as JSON text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def seed_scale(n_candidates: int, rng: random.Random, counts: Counts) -> None:
    """Add the scale data set (staff, companies, candidates and all that hangs off them)."""
    if db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        raise click.ClickException("Scale data is already here; seed an empty database instead.")
    now = utcnow().replace(microsecond=0)
    password_hash = hash_password(SCALE_PASSWORD)
    admin_id, recruiter_ids = _staff(password_hash, now, counts)
    seed_library()  # the template library, to pick from (the seeded positions use none)
    positions, contacts = _companies(rng, now, counts)
    candidates = _candidates(n_candidates, rng, now, password_hash, recruiter_ids, counts)
    interviews = _interviews(candidates, positions, recruiter_ids, rng, now, counts)
    released = _feedback(interviews, rng, now, counts)
    _panels(released, recruiter_ids, rng, counts)
    _referrals(n_candidates // 2, released, contacts, admin_id, recruiter_ids, rng, now, counts)
    _candidates_say(released, rng, counts)


def _staff(password_hash: str, now: datetime, counts: Counts) -> tuple[int, list[int]]:
    rows = [_user(ADMIN_EMAIL, "Scale Admin", Role.ADMIN, password_hash, now)]
    rows += [
        _user(
            f"scale-recruiter-{i:02d}@example.com",
            f"Recruiter {i:02d}",
            Role.RECRUITER,
            password_hash,
            now,
        )
        for i in range(1, RECRUITERS + 1)
    ]
    for i, row in enumerate(rows):  # every row names the column (COPY reads the first's)
        row["team"] = TEAMS[(i - 1) % len(TEAMS)] if i else None
    ids = insert_rows(User.__table__, rows, ids=True)
    counts.add("staff accounts", len(ids))
    return ids[0], ids[1:]


def _user(email: str, name: str, role: Role, password_hash: str, now: datetime) -> dict:
    return {
        "email": email,
        "name": name,
        "role": role,
        "password_hash": password_hash,
        "active": True,
        "session_version": 1,
        "created_at": now,
    }


@dataclass(frozen=True)
class Contact:
    id: int
    company_id: int
    company: str


def _companies(
    rng: random.Random, now: datetime, counts: Counts
) -> tuple[list[int], list[Contact]]:
    clients = [f"{x} {INDUSTRIES[i % len(INDUSTRIES)]} {i:02d}" for i, x in enumerate(LAST)]
    partners = [f"{x} Partners {i:02d}" for i, x in enumerate(FIRST[:20])]
    rows = [_company(name, CompanyKind.CLIENT, now) for name in clients]
    rows += [_company(name, CompanyKind.PARTNER, now) for name in partners]
    ids = insert_rows(Company.__table__, rows, ids=True)
    client_ids, partner_ids = ids[: len(clients)], ids[len(clients) :]
    position_rows = [
        {
            "company_id": cid,
            "title": title,
            "location": rng.choice(["Berlin", "Remote", "Leeds"]),
            "is_open": True,
            "template_id": None,  # scored on the engagement dimensions, as before templates
            "created_at": now,
        }
        for cid in client_ids
        for title in rng.sample(TITLES, 8)
    ]
    positions = insert_rows(Position.__table__, position_rows, ids=True)
    contact_rows = [
        {
            "company_id": pid,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "role_title": "Head of Talent",
            "email": f"contact{k}@{pid}.partner.example",
            "active": True,
            "confirmed": True,
            "created_at": now,
        }
        for pid in partner_ids
        for k in range(3)
    ]
    contact_ids = insert_rows(PartnerContact.__table__, contact_rows, ids=True)
    names = dict(zip(partner_ids, partners, strict=True))
    contacts = [
        Contact(cid, row["company_id"], names[row["company_id"]])
        for cid, row in zip(contact_ids, contact_rows, strict=True)
    ]
    counts.add("companies", len(ids))
    counts.add("positions", len(positions))
    counts.add("partner contacts", len(contacts))
    return positions, contacts


def _company(name: str, kind: CompanyKind, now: datetime) -> dict:
    return {"name": name, "kind": kind, "active": True, "created_at": now}


@dataclass(frozen=True)
class SeededCandidate:
    id: int
    user_id: int | None
    created_at: datetime


def _candidates(
    n: int,
    rng: random.Random,
    now: datetime,
    password_hash: str,
    recruiter_ids: list[int],
    counts: Counts,
) -> list[SeededCandidate]:
    people = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i}@example.net".lower()
        created = now - timedelta(days=rng.uniform(20, 730))
        people.append((f"{first} {last}", email, created, rng.random() < 0.4))
    # About 40% accepted their invitation and have a candidate account.
    user_rows = [
        _user(email, name, Role.CANDIDATE, password_hash, created)
        for name, email, created, has_account in people
        if has_account
    ]
    user_ids = iter(insert_rows(User.__table__, user_rows, ids=True))
    rows = []
    for name, email, created, has_account in people:
        rows.append(
            {
                "name": name,
                "email": email,
                "phone": f"+44 20 7946 {rng.randrange(10_000):04d}",
                "headline": f"{rng.choice(TITLES)} with {rng.randint(1, 15)} years' experience",
                "user_id": next(user_ids) if has_account else None,
                "created_by_id": rng.choice(recruiter_ids),
                "invited_at": created + timedelta(days=1) if has_account else None,
                "created_at": created,
                "last_activity_at": created,
            }
        )
    ids = insert_rows(Candidate.__table__, rows, ids=True)
    counts.add("candidate accounts", len(user_rows))
    counts.add("candidates", len(ids))
    return [
        SeededCandidate(cid, row["user_id"], row["created_at"])
        for cid, row in zip(ids, rows, strict=True)
    ]


@dataclass(frozen=True)
class SeededInterview:
    id: int
    candidate: SeededCandidate
    interviewer_id: int
    stage: Stage
    scheduled_at: datetime
    last_for_position: bool


def _interviews(
    candidates: list[SeededCandidate],
    positions: list[int],
    recruiter_ids: list[int],
    rng: random.Random,
    now: datetime,
    counts: Counts,
) -> list[SeededInterview]:
    stages = list(Stage)
    plan: list[tuple[SeededCandidate, dict]] = []
    for cand in candidates:
        total = rng.randint(1, 9)  # five on average
        applied_to = rng.sample(positions, 1 if total <= 5 else 2)
        when = cand.created_at + timedelta(days=rng.uniform(2, 10))
        for k in range(total):
            position_id = applied_to[k % len(applied_to)]
            step = k // len(applied_to)
            plan.append(
                (
                    cand,
                    {
                        "candidate_id": cand.id,
                        "position_id": position_id,
                        "interviewer_id": rng.choice(recruiter_ids),
                        "stage": stages[min(step, len(stages) - 1)],
                        "format": rng.choice(list(InterviewFormat)),
                        "scheduled_at": when.replace(second=0, microsecond=0),
                        "location": None,
                        "created_at": cand.created_at,
                    },
                )
            )
            last = k + len(applied_to) >= total
            plan[-1][1]["_last"] = last
            when += timedelta(days=rng.uniform(4, 21))
    rows = [{k: v for k, v in row.items() if k != "_last"} for _, row in plan]
    for row in rows:
        row["duration_minutes"] = 60
    ids = insert_rows(Interview.__table__, rows, ids=True)
    counts.add("interviews", len(ids))
    # Every interview's panel holds its lead; _panels adds members to some.
    insert_rows(
        PanelMember.__table__,
        [
            {"interview_id": iid, "user_id": row["interviewer_id"], "added_at": row["created_at"]}
            for iid, row in zip(ids, rows, strict=True)
        ],
    )
    return [
        SeededInterview(
            iid, cand, row["interviewer_id"], row["stage"], row["scheduled_at"], row["_last"]
        )
        for iid, (cand, row) in zip(ids, plan, strict=True)
        if row["scheduled_at"] < now
    ]


def _feedback(
    interviews: list[SeededInterview], rng: random.Random, now: datetime, counts: Counts
) -> list[tuple[SeededInterview, int]]:
    """One scorecard per past interview: most released, the rest submitted or in draft."""
    rows, states = [], []
    for iv in interviews:
        roll = rng.random()
        state = (
            FeedbackState.RELEASED
            if roll < 0.7
            else FeedbackState.SUBMITTED
            if roll < 0.85
            else FeedbackState.DRAFT
        )
        states.append(state)
        written = min(iv.scheduled_at + timedelta(hours=rng.uniform(2, 72)), now)
        decision = (
            rng.choice([Decision.HOLD, Decision.DECLINE])
            if iv.last_for_position
            else Decision.INVITE
        )
        texts = {
            "next_step": "A second interview with the team lead."
            if decision is Decision.INVITE
            else "We will let you know within two weeks.",
            "strengths": rng.choice(STRENGTHS),
            "improvements": rng.choice(IMPROVEMENTS),
            "practice_suggestions": rng.choice(PRACTICE),
            "insight_plans": rng.choice(INSIGHTS),
            "insight_competitors": None,
            "insight_markets": None,
            "insight_role_fit": None,
        }
        rows.append(
            {
                "interview_id": iv.id,
                "author_id": iv.interviewer_id,
                "kind": FeedbackKind.MEMBER,
                "state": state,
                "lock_version": 1,
                "revision": 1 if state is FeedbackState.RELEASED else 0,
                "decision": decision,
                "next_step_on": (iv.scheduled_at + timedelta(days=14)).date()
                if decision is Decision.INVITE
                else None,
                "private_notes": "Salary expectations discussed.",
                "created_at": written,
                "updated_at": written,
                "submitted_at": written if state is not FeedbackState.DRAFT else None,
                "released_at": written if state is FeedbackState.RELEASED else None,
                **texts,
            }
        )
    ids = insert_rows(Feedback.__table__, rows, ids=True)
    ratings, revisions = [], []
    for fid, row in zip(ids, rows, strict=True):
        scores = [
            {
                "dimension": d.value,
                "score": rng.choices((2, 3, 4, 5), (1, 3, 4, 2))[0],
                "example": None,
            }
            for d in Dimension
        ]
        ratings.extend(
            {"feedback_id": fid, **s, "dimension": Dimension(s["dimension"])} for s in scores
        )
        if row["state"] is FeedbackState.RELEASED:
            revisions.append(
                {
                    "feedback_id": fid,
                    "number": 1,
                    "content": _content(row, scores),
                    # seeded positions keep the default weights (all 1)
                    "weights": {},
                    "score": weighted_score({r["dimension"]: r["score"] for r in scores}, {}),
                    "reason": None,
                    "released_by_id": row["author_id"],
                    "released_at": row["released_at"],
                }
            )
    insert_rows(Rating.__table__, ratings)
    insert_rows(FeedbackRevision.__table__, revisions)
    releases = [
        {
            "at": r["released_at"],
            "actor_id": r["released_by_id"],
            "action": "feedback_released",
            "object_type": "feedback",
            "object_id": r["feedback_id"],
            "origin": None,
            "details": {},
        }
        for r in revisions
    ]
    insert_rows(AuditEvent.__table__, releases)
    counts.add("audit events", len(releases))
    counts.add("scorecards", len(ids))
    counts.add("ratings", len(ratings))
    counts.add("released revisions", len(revisions))
    return [
        (iv, fid)
        for iv, fid, state in zip(interviews, ids, states, strict=True)
        if state is FeedbackState.RELEASED
    ]


TEAMS = ["Engineering hiring", "Data hiring", "Operations hiring"]
ANSWERED = 0.6  # of released feedback to candidates with an account
ASKED_EVERY = 8  # one answered feedback in eight also has a question


def _candidates_say(
    released: list[tuple[SeededInterview, int]], rng: random.Random, counts: Counts
) -> None:
    """Answers to released feedback, and questions, from candidates with an account."""
    gains = [GainAnswer.YES, GainAnswer.YES, GainAnswer.PARTLY, GainAnswer.NO]
    answers, threads, askers = [], [], []
    for iv, fid in released:
        if iv.candidate.user_id is None or rng.random() >= ANSWERED:
            continue
        at = iv.scheduled_at + timedelta(days=rng.uniform(2, 10))
        answers.append(
            {
                "feedback_id": fid,
                "candidate_id": iv.candidate.id,
                "next_round": rng.choice(gains),
                "referral": rng.choice(gains),
                "skills": rng.choice(gains),
                "insight": rng.choice(gains),
                "usefulness": rng.choice((3, 4, 4, 5)),
                "comment": rng.choice(COMMENTS) if rng.random() < 0.3 else None,
                "revision": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
        if len(answers) % ASKED_EVERY == 0:
            replied = rng.random() < 0.5
            threads.append(
                {
                    "feedback_id": fid,
                    "candidate_id": iv.candidate.id,
                    "kind": ThreadKind.QUESTION,
                    "state": ThreadState.REPLIED if replied else ThreadState.OPEN,
                    "opened_at": at,
                    "waiting_since": None if replied else at,
                    "reply_due_at": None if replied else at + timedelta(days=2),
                    "updated_at": at,
                }
            )
            askers.append((iv.candidate.user_id, at))
    insert_rows(CandidateAnswer.__table__, answers)
    thread_ids = insert_rows(FeedbackThread.__table__, threads, ids=True)
    insert_rows(
        ThreadMessage.__table__,
        [
            {
                "thread_id": tid,
                "author_id": uid,
                "from_candidate": True,
                "body": "Could you say more about what a stronger answer would have included?",
                "created_at": at,
            }
            for tid, (uid, at) in zip(thread_ids, askers, strict=True)
        ],
    )
    counts.add("candidate answers", len(answers))
    counts.add("candidate questions", len(threads))


COMMENTS = [
    "Specific and kind; the practice list is on my desk.",
    "I would have liked one example of a stronger answer.",
    "First time anyone told me why. Thank you.",
]

PANEL_EVERY = 6  # one released interview in six was a panel of three


def _panels(
    released: list[tuple[SeededInterview, int]],
    recruiter_ids: list[int],
    rng: random.Random,
    counts: Counts,
) -> None:
    """Make some released interviews panels of three: each member's own submitted scorecard
    (one dimension in disagreement), and the released feedback the lead wrote from them."""
    panelled = released[::PANEL_EVERY]
    members, cards, panel_ids = [], [], []
    for iv, fid in panelled:
        others = rng.sample([r for r in recruiter_ids if r != iv.interviewer_id], 2)
        panel_ids.append(fid)
        for user_id in [iv.interviewer_id, *others]:
            if user_id != iv.interviewer_id:
                members.append(
                    {"interview_id": iv.id, "user_id": user_id, "added_at": iv.scheduled_at}
                )
            written = iv.scheduled_at + timedelta(hours=rng.uniform(1, 48))
            cards.append(
                {
                    "interview_id": iv.id,
                    "author_id": user_id,
                    "kind": FeedbackKind.MEMBER,
                    "state": FeedbackState.SUBMITTED,
                    "lock_version": 1,
                    "revision": 0,
                    "decision": rng.choice(list(Decision)),
                    "next_step": "A second interview with the team lead.",
                    "strengths": rng.choice(STRENGTHS),
                    "improvements": rng.choice(IMPROVEMENTS),
                    "practice_suggestions": rng.choice(PRACTICE),
                    "private_notes": None,
                    "created_at": written,
                    "updated_at": written,
                    "submitted_at": written,
                }
            )
    if panel_ids:  # first, so the lead's own scorecard does not clash with it
        db.session.execute(
            update(Feedback).where(Feedback.id.in_(panel_ids)).values(kind=FeedbackKind.PANEL)
        )
    insert_rows(PanelMember.__table__, members)
    ids = insert_rows(Feedback.__table__, cards, ids=True)
    ratings = []
    for n, fid in enumerate(ids):
        for d in Dimension:
            score = rng.choice((3, 4))
            if d is Dimension.PRESENCE:  # the panel disagrees here: 2, 4, 5 around one table
                score = (2, 4, 5)[n % 3]
            ratings.append({"feedback_id": fid, "dimension": d, "score": score, "example": None})
    insert_rows(Rating.__table__, ratings)
    counts.add("panel interviews", len(panelled))
    counts.add("panel members' scorecards", len(ids))


def _content(row: dict, scores: list[dict]) -> dict:
    """The candidate-visible snapshot, shaped like portal.feedback.content.candidate_content."""
    content = {name: row[name] for name in CANDIDATE_TEXT_FIELDS}
    content["decision"] = row["decision"].value
    content["next_step_on"] = row["next_step_on"].isoformat() if row["next_step_on"] else None
    content["ratings"] = scores
    return content


S = ReferralStatus
# Paths through the pipeline (see portal.referrals.pipeline.ALLOWED_TRANSITIONS), with weights.
REFERRAL_PATHS = (
    ((S.PROPOSED,), 2),
    ((S.PROPOSED, S.APPROVED), 2),
    ((S.PROPOSED, S.APPROVED, S.CONSENTED), 2),
    ((S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTRODUCED), 1),
    ((S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTRODUCED, S.INTERVIEWING), 1),
    ((S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTRODUCED, S.INTERVIEWING, S.HIRED), 1),
    ((S.PROPOSED, S.APPROVED, S.DECLINED), 1),
    ((S.PROPOSED, S.WITHDRAWN), 1),
    ((S.PROPOSED, S.APPROVED, S.EXPIRED), 1),
)
LEAD_PATHS = tuple(
    (tuple(s for s in path if s is not S.INTRODUCED), weight) for path, weight in REFERRAL_PATHS
)


def _referrals(
    n: int,
    released: list[tuple[SeededInterview, int]],
    contacts: list[Contact],
    admin_id: int,
    recruiter_ids: list[int],
    rng: random.Random,
    now: datetime,
    counts: Counts,
) -> None:
    """Referrals and leads for candidates with released feedback and an account to consent."""
    eligible = [(iv, fid) for iv, fid in released if iv.candidate.user_id is not None]
    if not eligible:
        return
    rows, paths = [], []
    for _ in range(n):
        iv, fid = rng.choice(eligible)
        is_referral = rng.random() < 0.6
        choices = REFERRAL_PATHS if is_referral else LEAD_PATHS
        path = rng.choices([p for p, _ in choices], [w for _, w in choices])[0]
        proposer = rng.choice(recruiter_ids)
        start = iv.scheduled_at + timedelta(days=1)
        times = [min(start + timedelta(days=3 * k), now) for k in range(len(path))]
        contact = rng.choice(contacts)
        rows.append(
            {
                "candidate_id": iv.candidate.id,
                "kind": ReferralKind.REFERRAL if is_referral else ReferralKind.LEAD,
                "lead_kind": None if is_referral else rng.choice(list(LeadKind)),
                "status": path[-1],
                "contact_id": contact.id if is_referral else None,
                "company_id": contact.company_id if is_referral else None,
                "role_title": rng.choice(TITLES),
                "market": None,
                "note_to_candidate": f"{contact.company} is growing its team; you would fit.",
                "feedback_id": fid,
                "proposed_by_id": proposer,
                "owner_id": proposer,
                "follow_up_on": _follow_up(path[-1], times[-1]),
                "lock_version": len(path),
                "created_at": times[0],
                "status_changed_at": times[-1],
            }
        )
        paths.append((path, times, iv.candidate.user_id, proposer))
    ids = insert_rows(Referral.__table__, rows, ids=True)
    transitions = [
        {
            "referral_id": rid,
            "from_status": path[k - 1] if k else None,
            "to_status": status,
            "actor_id": _actor(status, admin_id, user_id, proposer),
            "note": None,
            "at": times[k],
        }
        for rid, (path, times, user_id, proposer) in zip(ids, paths, strict=True)
        for k, status in enumerate(path)
    ]
    insert_rows(ReferralTransition.__table__, transitions)
    counts.add("referrals and leads", len(ids))
    counts.add("referral transitions", len(transitions))


def _follow_up(status: ReferralStatus, changed: datetime) -> date | None:
    return None if not status.is_open else (changed + timedelta(days=14)).date()


def _actor(status: ReferralStatus, admin_id: int, candidate_user: int, owner: int) -> int | None:
    if status in (S.APPROVED,):
        return admin_id
    if status in (S.CONSENTED, S.DECLINED):
        return candidate_user
    if status is S.EXPIRED:
        return None  # the system expires idle items
    return owner


def analyze() -> None:
    """After a bulk load, refresh the planner's statistics. On PostgreSQL, VACUUM ANALYZE:
    besides statistics it sets the visibility map and merges the GIN (trigram) indexes'
    pending lists, which a bulk load leaves full; until then every search scans them (a
    name search took 8.7 ms instead of 1.3 ms, and the planner preferred a table scan)."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@click.command("seed-scale")
@click.option(
    "--candidates",
    "n_candidates",
    type=click.IntRange(1, 1_000_000),
    default=20_000,
    show_default=True,
    help="How many candidates (interviews, scorecards follow).",
)
@click.option("--seed", type=int, default=8, show_default=True, help="Random seed.")
def seed_scale_command(n_candidates: int, seed: int) -> None:
    """Fill the database with a large, realistic data set for load tests (bulk inserts).

    Logins: scale-admin@example.com and scale-recruiter-01..10@example.com, password
    'betteroff-scale'; candidates with an account sign in with their email and the same.
    """
    started = time.perf_counter()
    counts = Counts()
    seed_scale(n_candidates, random.Random(seed), counts)  # noqa: S311 - test data, not secrets
    db.session.commit()
    loaded = time.perf_counter() - started
    analyze()
    total = time.perf_counter() - started
    for name, n in counts.rows.items():
        click.echo(f"{n:>9,}  {name}")
    candidates = db.session.scalar(select(func.count()).select_from(Candidate))
    click.echo(
        f"Seeded in {loaded:.1f} s (+{total - loaded:.1f} s VACUUM ANALYZE / ANALYZE); "
        f"{candidates:,} candidates in the database."
    )
