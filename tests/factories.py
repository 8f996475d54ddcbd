"""Small builders for test data, and helpers that act like a person would."""

from __future__ import annotations

import email
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.extensions import db
from portal.feedback import services
from portal.feedback.services import ScorecardInput
from portal.models import (
    Base,
    Candidate,
    Company,
    CompanyKind,
    Decision,
    Dimension,
    FeedbackState,
    Interview,
    InterviewFormat,
    PanelMember,
    Position,
    Role,
    ScorecardTemplate,
    Stage,
    User,
    utcnow,
)
from portal.passwords import hash_password
from portal.release_check import screening
from portal.scorecards import services as template_services
from portal.scorecards.definition import Definition
from portal.unit_of_work import commit

PASSWORD = "correct-horse-battery"  # noqa: S105


def user(
    role: str = "recruiter",
    email: str | None = None,
    name: str = "Test Person",
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    u = User(
        email=(email or f"{role}{_next()}@example.com").lower(),
        name=name,
        role=Role(role),
        password_hash=hash_password(password) if password else None,
        active=active,
    )
    db.session.add(u)
    commit()
    return u


def candidate(
    name: str = "Casey Candidate",
    email: str | None = None,
    with_account: bool = False,
    password: str = PASSWORD,
) -> Candidate:
    c = Candidate(name=name, email=(email or f"cand{_next()}@example.com").lower())
    if with_account:
        c.user = User(
            email=c.email, name=name, role=Role.CANDIDATE, password_hash=hash_password(password)
        )
    db.session.add(c)
    commit()
    return c


def company(name: str | None = None, kind: CompanyKind = CompanyKind.CLIENT) -> Company:
    c = Company(name=name or f"Company {_next()}", kind=kind)
    db.session.add(c)
    commit()
    return c


def position(
    title: str = "Data Analyst",
    company_: Company | None = None,
    weights: dict | None = None,
    template_: ScorecardTemplate | None = None,
) -> Position:
    """A position; `weights` gives it a template of its own with those engagement weights."""
    if weights and template_ is None:
        template_ = template(f"{title} weights {_next()}", weights=weights)
    p = Position(title=f"{title}", company=company_ or company(), template=template_)
    db.session.add(p)
    commit()
    return p


SKILLS = [
    {
        "key": "problem_solving",
        "name": "Problem solving",
        "meaning": "Breaks a problem down and reasons towards a workable answer.",
        "anchors": {
            "1": "Jumped to an answer without exploring the problem.",
            "3": "Reached a sound answer with some prompting.",
            "5": "Compared two approaches and chose one, naming the trade-off.",
        },
        "weight": 2,
        "practice": ["Talk through one past problem aloud, naming two options you weighed."],
    },
    {
        "key": "sql",
        "name": "SQL",
        "meaning": "Writes correct queries for the question asked.",
        "anchors": {
            "1": "Could not write a working join.",
            "3": "Wrote working queries with small slips.",
            "5": "Wrote correct, readable queries and checked the result.",
        },
        "weight": 1,
        "practice": ["Rewrite three of your reports' queries from memory and compare."],
    },
]
QUESTIONS = [
    {"key": "evidence", "text": "Which example showed this best?", "required": True},
    {
        "key": "next_time",
        "text": "What would make the candidate's next interview stronger?",
        "candidate_facing": True,
    },
]


def template(
    name: str | None = None,
    *,
    weights: dict | None = None,
    skills: list | None = None,
    questions: list | None = None,
    actor: User | None = None,
) -> ScorecardTemplate:
    """A scorecard template made through the real service (`skills=SKILLS` for role skills)."""
    definition = Definition.parse(
        {"weights": weights or {}, "skills": skills or [], "questions": questions or []}
    )
    t = template_services.save_template(
        None, definition, actor=actor, name=name or f"Template {_next()}"
    )
    commit()
    return t


def interview(
    candidate_: Candidate,
    interviewer: User,
    stage: Stage = Stage.FIRST,
    position_: Position | None = None,
    when: datetime | None = None,
    panel: Sequence[User] = (),
) -> Interview:
    """An interview led by `interviewer`, with `panel` beside them (a panel of one by default)."""
    i = Interview(
        candidate=candidate_,
        interviewer=interviewer,
        position=position_ or position(title=f"Role {_next()}"),
        stage=stage,
        format=InterviewFormat.VIDEO,
        scheduled_at=when or utcnow() - timedelta(days=1),
    )
    for person in dict.fromkeys([interviewer, *panel]):
        i.panel.append(PanelMember(user=person))
    db.session.add(i)
    commit()
    return i


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


_counter = [0]


def _next() -> int:
    _counter[0] += 1
    return _counter[0]


@dataclass
class Outbox:
    """The mail outbox folder, read the way a person would open the .eml files."""

    path: Path

    def messages(self) -> list[Message]:
        if not self.path.exists():
            return []
        return [email.message_from_bytes(p.read_bytes()) for p in sorted(self.path.glob("*.eml"))]

    def last(self) -> Message:
        messages = self.messages()
        assert messages, "no mail was written to the outbox"
        return messages[-1]


def body(message: Message) -> str:
    if message.is_multipart():
        return "".join(
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        )
    return message.get_payload(decode=True).decode()


def link_in(message: Message) -> str:
    match = re.search(r"https?://\S+", body(message))
    assert match, "the email contains no link"
    return match.group(0)


def scorecard_input(**overrides):
    """A complete, clean scorecard as the form would hand it to the services."""
    values = dict(
        scores={d: 4 for d in Dimension},
        examples={d: None for d in Dimension},
        decision=Decision.INVITE,
        next_step="A second interview with the team lead, with a short case study.",
        next_step_on=None,
        strengths="You walked through the dashboard rebuild step by step, with numbers.",
        improvements="Your answer on stakeholder conflict stayed general; give one concrete example.",
        practice_suggestions="Prepare two short stories with a clear result.\nRead the last two company announcements.",
        insight_plans="The team is building self-service reporting next year.",
        insight_competitors=None,
        insight_markets=None,
        insight_role_fit=None,
        private_notes="PRIVATE-NOTE-7731 salary expectations discussed.",
    )
    values.update(overrides)
    return ScorecardInput(**values)


def scorecard_form(**overrides) -> dict:
    """Form fields for a complete, clean scorecard, as a browser would post them."""
    data = {f"score_{d.value}": "4" for d in Dimension}
    data.update(
        decision="invite",
        next_step="A second interview with the team lead, with a short case study.",
        next_step_on="2026-12-15",
        strengths="You walked through the dashboard rebuild step by step, with numbers.",
        improvements="Your answer on stakeholder conflict stayed general; give one concrete example.",
        practice_suggestions="Prepare two short stories with a clear result.\nRead the last two company announcements.",
        insight_plans="The team is building self-service reporting next year.",
        private_notes="PRIVATE-NOTE-7731 salary expectations discussed.",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def feedback(interview_, author, state: str = "draft", **overrides):
    """A scorecard taken through the real services to the given state (its author is put on
    the panel first if they are not on it)."""
    if author.id not in {m.user_id for m in interview_.panel}:
        interview_.panel.append(PanelMember(user=author))
        db.session.flush()
    fb = services.start_feedback(interview_, author)
    definition = services.scorecard_definition(fb)
    # A template's skills rated 4 and its required questions answered, unless given.
    overrides.setdefault("skill_scores", {k: 4 for k in definition.skill_keys})
    overrides.setdefault(
        "answers",
        {q.key: "The case study walk-through." for q in definition.questions if q.required},
    )
    services.save_feedback(
        fb, scorecard_input(**overrides), actor=author, expected_version=fb.lock_version
    )
    if state in ("submitted", "released"):
        services.submit_feedback(fb, actor=author)
    if state == "released":
        keys = {screening.finding_key(f) for f in services.release_findings(fb)}
        services.release_feedback(fb, actor=author, acknowledged=keys)
    commit()
    assert fb.state is FeedbackState(state)
    return fb


def empty_database() -> None:
    """Delete every row, keeping the schema (fast enough between tests on both engines)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(sa.text(f"DELETE FROM {name}"))  # noqa: S608 - names from metadata
    commit()
