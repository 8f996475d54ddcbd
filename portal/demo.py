"""Demo data that shows the product: run by `flask seed-demo`, safe to run again."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.answers.services import reply_due
from portal.extensions import db
from portal.feedback.content import candidate_content
from portal.feedback.panel import panel_median
from portal.feedback.services import all_scores, scorecard_definition, weighted_score
from portal.models import (
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
    PositionStageTemplate,
    QuestionAnswer,
    Rating,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    Resolution,
    Role,
    ScorecardTemplate,
    SkillRating,
    Stage,
    ThreadKind,
    ThreadMessage,
    ThreadState,
    User,
    utcnow,
)
from portal.passwords import hash_password
from portal.scorecards.services import seed_library, template_for

DEMO_PASSWORD = "betteroff-demo"  # noqa: S105 - documented demo login
AMENDMENT_REASON = (
    "The first version mixed up your strengths with notes from another interview; they now "
    "describe what you did in yours."
)
MARKER_COMPANY = "Northwind Analytics"

STAFF = [
    ("admin@example.com", "Avery Admin", Role.ADMIN),
    ("recruiter@example.com", "Riley Recruiter", Role.RECRUITER),
    ("sam.okafor@example.com", "Sam Okafor", Role.RECRUITER),
]

CLIENTS = {
    "Northwind Analytics": ["Data Analyst", "Analytics Engineer"],
    "Harbor Health": ["Product Manager", "Clinical Data Specialist"],
    "Alder & Finch Logistics": ["Operations Lead", "Supply Chain Planner"],
}
# Each position's scorecard template (a family of the shipped library), and where a stage has
# its own; the Clinical Data Specialist scores the engagement dimensions only.
POSITION_TEMPLATES = {
    "Data Analyst": "data_analytics",
    "Analytics Engineer": "software_engineering",
    "Product Manager": "product_management",
    "Operations Lead": "operations",
    "Supply Chain Planner": "operations",
}
STAGE_TEMPLATES = {("Analytics Engineer", Stage.SECOND): "data_analytics"}
# Observed examples for a few role skills, so the candidate's report shows what was seen.
SKILL_EXAMPLES = {
    "business_framing": "You asked which decision the churn figure would feed before you "
    "opened the data.",
    "data_querying": "You wrote the join for the store-week table and spotted the duplicate "
    "rows on your own.",
    "communicating_findings": "You led with the answer, then showed the one chart that "
    "supported it.",
    "process_improvement": "You walked through how you cut picking errors by re-ordering the "
    "shelf layout, with the before and after figures.",
    "prioritisation": "You ranked the three feature requests by the number of clinics "
    "affected and said what you would drop.",
}
CANDIDATE_ANSWER = (
    "Bring one piece of work you can walk through end to end, with the numbers you checked it "
    "against; it was the strongest part of this conversation when you did."
)

PARTNERS = {
    "Bluepeak Software": [("Dana Whitfield", "Head of Data", "dana.whitfield@bluepeak.example")],
    "Cedar Robotics": [("Marco Lindqvist", "Engineering Manager", "marco@cedar-robotics.example")],
    "Lumen Energy": [("Priya Raman", "Talent Partner", "priya.raman@lumen.example")],
}

# (email, name, headline); the first two are the demo candidate logins.
CANDIDATES = [
    ("candidate@example.com", "Maya Chen", "Data analyst, retail analytics"),
    ("candidate2@example.com", "Jonas Weber", "Operations coordinator"),
    ("lena.fischer@example.com", "Lena Fischer", "Product owner"),
    ("omar.haddad@example.com", "Omar Haddad", "Analytics engineer"),
    ("grace.mensah@example.com", "Grace Mensah", "Clinical research associate"),
    ("tomas.novak@example.com", "Tomas Novak", "Logistics analyst"),
    ("aiko.tanaka@example.com", "Aiko Tanaka", "Business intelligence developer"),
    ("ben.carter@example.com", "Ben Carter", "Supply chain planner"),
    ("sofia.rossi@example.com", "Sofia Rossi", "Product manager"),
    ("kwame.asante@example.com", "Kwame Asante", "Data scientist"),
    ("elif.yilmaz@example.com", "Elif Yilmaz", "Operations lead"),
    ("noah.brooks@example.com", "Noah Brooks", "Junior data analyst"),
]

STRENGTHS = [
    "You explained how you rebuilt the weekly sales dashboard step by step and linked it to the "
    "decisions it supported.",
    "You gave a clear, structured account of handling the warehouse backlog, with numbers.",
    "You asked the panel how success in the first six months would be measured.",
]
IMPROVEMENTS = [
    "When asked about stakeholder conflict, your answer stayed general; a specific example "
    "with the outcome would have helped.",
    "You spent a long time on background before reaching the result; lead with the result.",
    "You had not looked at our recent product launch, which came up twice.",
]
PRACTICE = [
    "Prepare two short stories using situation, action and result, each under two minutes.",
    "Read the company's last two announcements and note one question about each.",
    "Practise pausing to confirm the question before answering.",
]


def seed_demo() -> bool:
    """Create the demo data set. Returns False when it was already there (nothing changes)."""
    staff = _ensure_staff()
    seed_library()
    if db.session.scalar(select(Company.id).where(Company.name == MARKER_COMPANY)) is not None:
        return False
    rng = random.Random(20261129)  # noqa: S311 - reproducible demo data, not security
    positions = _companies_and_positions()
    contacts = _partners()
    recruiters = [u for u in staff if u.role is Role.RECRUITER]
    candidates = _candidates(recruiters[0])
    db.session.flush()
    now = utcnow().replace(minute=0, second=0, microsecond=0)

    plans = [
        # (candidate index, position index, stages with their feedback state)
        (0, 0, [(Stage.FIRST, FeedbackState.RELEASED), (Stage.SECOND, FeedbackState.RELEASED)]),
        (1, 4, [(Stage.FIRST, FeedbackState.RELEASED)]),
        (2, 2, [(Stage.FIRST, FeedbackState.SUBMITTED)]),
        (3, 1, [(Stage.FIRST, FeedbackState.RELEASED), (Stage.SECOND, FeedbackState.DRAFT)]),
        (4, 3, [(Stage.FIRST, FeedbackState.DRAFT)]),
        (5, 5, [(Stage.FIRST, None)]),
        (
            6,
            1,
            [
                (Stage.FIRST, FeedbackState.RELEASED),
                (Stage.SECOND, FeedbackState.RELEASED),
                (Stage.FINAL, FeedbackState.SUBMITTED),
            ],
        ),
        (7, 5, [(Stage.FIRST, FeedbackState.RELEASED)]),
        (8, 2, [(Stage.FIRST, None)]),
        (9, 0, [(Stage.FIRST, FeedbackState.RELEASED)]),
        (10, 4, [(Stage.FIRST, FeedbackState.SUBMITTED)]),
        (11, 0, [(Stage.APPLICATION, None)]),
    ]
    released: dict[int, Feedback] = {}
    for ci, pi, steps in plans:
        for n, (stage, state) in enumerate(steps):
            when = now - timedelta(days=7 * (len(steps) - n) + ci)
            interviewer = recruiters[(ci + n) % len(recruiters)] if ci > 1 else recruiters[0]
            interview = Interview(
                candidate=candidates[ci],
                position=positions[pi],
                interviewer=interviewer,
                stage=stage,
                format=list(InterviewFormat)[(ci + n) % 3],
                scheduled_at=when,
                location="Video call" if (ci + n) % 3 == 1 else "Head office, 3rd floor",
            )
            interview.panel.append(PanelMember(user=interviewer))
            db.session.add(interview)
            if state is not None:
                is_last = n == len(steps) - 1
                feedback = _feedback(interview, interviewer, state, rng, when, is_last)
                if state is FeedbackState.RELEASED:
                    released[ci] = feedback  # referrals point at the latest released interview
    db.session.flush()
    _amend(released[1], now)  # Jonas Weber, the README's second candidate login
    _panels(candidates, positions, staff, rng, now)
    _referrals(candidates, contacts, positions, recruiters, staff[0], released, now)
    db.session.flush()
    _candidates_say(candidates, staff, positions, rng, now)
    db.session.flush()
    return True


# --- the candidates' say (#18) -----------------------------------------------------------------
# The README's first candidate (Maya) answered her first interview's feedback and asked a
# question about it that Riley has not answered yet; her latest feedback is unanswered, for a
# newcomer to try. Jonas asked for a correction that the amendment resolved. Past candidates
# (no accounts) answered enough feedback for the measure page to show every group's figures.

TEAMS = {
    "recruiter@example.com": "Data & analytics hiring",
    "sam.okafor@example.com": "Operations hiring",
    "admin@example.com": "Operations hiring",
}
PAST_CANDIDATES = [
    "Ana Souza", "Ivan Petrov", "Chloe Martin", "Dev Patel", "Freya Olsen", "Hugo Laurent",
    "Isla Murray", "Jamal Reed", "Keiko Sato", "Luca Bianchi", "Mira Kapoor", "Nils Berg",
    "Olga Ivanova", "Pablo Ruiz", "Quinn Taylor", "Rosa Diaz", "Samir Khan", "Tara Walsh",
    "Umar Farouk", "Vera Novak", "Wen Li", "Xavier Dubois", "Yara Haddad", "Zoe Adams",
]  # fmt: skip
PAST_COMMENTS = [
    "The note about leading with the result changed how I answer; thank you.",
    "I did not expect feedback at all after a no. The lead was a real help.",
    "Clear and specific. I would have liked one more example on the case study.",
    "Knowing what the team plans next year helped me decide to apply elsewhere in the group.",
]
MAYA_QUESTION = (
    "You mention I should lead with the result. Could you give an example of how that would "
    "have sounded for the dashboard question?"
)
JONAS_CORRECTION = (
    "The strengths describe a warehouse backlog, but my interview was about the weekly stock "
    "report. I think these notes are from someone else's interview."
)


def _candidates_say(
    candidates: list[Candidate],
    staff: list[User],
    positions: list[Position],
    rng: random.Random,
    now: datetime,
) -> None:
    for user in staff:
        user.team = TEAMS.get(user.email)
    _past_candidates(staff, positions, rng, now)
    maya = _released_of(candidates[0])
    first = maya[0]
    db.session.add(
        CandidateAnswer(
            feedback_id=first.id,
            candidate_id=candidates[0].id,
            next_round=GainAnswer.YES,
            referral=GainAnswer.PARTLY,
            skills=GainAnswer.YES,
            insight=GainAnswer.PARTLY,
            usefulness=4,
            comment="The practice suggestions were exactly what I needed before the second round.",
            revision=first.revision,
            created_at=first.released_at + timedelta(days=1),
            updated_at=first.released_at + timedelta(days=1),
        )
    )
    asked = now - timedelta(days=1)
    question = FeedbackThread(
        feedback_id=first.id,
        candidate_id=candidates[0].id,
        kind=ThreadKind.QUESTION,
        state=ThreadState.OPEN,
        opened_at=asked,
        waiting_since=asked,
        reply_due_at=reply_due(asked),
    )
    question.messages.append(
        ThreadMessage(
            author_id=candidates[0].user_id,
            from_candidate=True,
            body=MAYA_QUESTION,
            created_at=asked,
        )
    )
    db.session.add(question)

    jonas = _released_of(candidates[1])[0]  # amended by _amend: version 2
    opened = jonas.revisions[0].released_at + timedelta(hours=5)
    amended = jonas.revisions[-1]
    correction = FeedbackThread(
        feedback_id=jonas.id,
        candidate_id=candidates[1].id,
        kind=ThreadKind.CORRECTION,
        state=ThreadState.RESOLVED,
        opened_at=opened,
        resolution=Resolution.AMENDMENT,
        resolved_revision=amended.number,
        resolved_at=amended.released_at,
        resolved_by_id=jonas.author_id,
    )
    correction.messages.append(
        ThreadMessage(
            author_id=candidates[1].user_id,
            from_candidate=True,
            body=JONAS_CORRECTION,
            created_at=opened,
        )
    )
    correction.messages.append(
        ThreadMessage(
            author_id=jonas.author_id,
            from_candidate=False,
            body=f"Corrected in version {amended.number}: {amended.reason}",
            created_at=amended.released_at,
        )
    )
    db.session.add(correction)


def _released_of(candidate: Candidate) -> list[Feedback]:
    db.session.flush()
    return list(
        db.session.scalars(
            select(Feedback)
            .join(Feedback.interview)
            .where(Interview.candidate_id == candidate.id, Feedback.state == FeedbackState.RELEASED)
            .order_by(Interview.scheduled_at)
        )
    )


def _past_candidates(
    staff: list[User], positions: list[Position], rng: random.Random, now: datetime
) -> None:
    """Candidates from the last quarter, one released interview each; most answered."""
    recruiters = [u for u in staff if u.role is Role.RECRUITER]
    for n, name in enumerate(PAST_CANDIDATES):
        slug = name.lower().replace(" ", ".")
        candidate = Candidate(name=name, email=f"{slug}@example.com", created_by=recruiters[0])
        interviewer = recruiters[n % 2] if n % 5 else staff[0]
        when = now - timedelta(days=20 + 3 * n, hours=n)
        interview = Interview(
            candidate=candidate,
            position=positions[n % len(positions)],
            interviewer=interviewer,
            stage=Stage.FIRST,
            format=list(InterviewFormat)[n % 3],
            scheduled_at=when,
            location="Video call",
        )
        interview.panel.append(PanelMember(user=interviewer))
        db.session.add_all([candidate, interview])
        feedback = _feedback(interview, interviewer, FeedbackState.RELEASED, rng, when, False)
        # Some take longer to release than others: the measure shows the spread.
        feedback.released_at = when + timedelta(days=1 + n % 6, hours=n % 7)
        feedback.revisions[0].released_at = feedback.released_at
        db.session.flush()
        if feedback.decision is Decision.DECLINE and n % 2 == 0:
            _past_lead(candidate, feedback, interviewer, staff[0], feedback.released_at)
        if n % 6 == 5:
            continue  # did not answer
        high = rng.random() < 0.7
        db.session.add(
            CandidateAnswer(
                feedback_id=feedback.id,
                candidate_id=candidate.id,
                next_round=GainAnswer.YES
                if feedback.decision is Decision.INVITE
                else GainAnswer.NO,
                referral=rng.choice([GainAnswer.YES, GainAnswer.PARTLY, GainAnswer.NO]),
                skills=GainAnswer.YES if high else rng.choice([GainAnswer.PARTLY, GainAnswer.NO]),
                insight=rng.choice([GainAnswer.YES, GainAnswer.YES, GainAnswer.PARTLY]),
                usefulness=rng.choice([4, 5, 5]) if high else rng.choice([2, 3]),
                comment=PAST_COMMENTS[n % len(PAST_COMMENTS)] if n % 4 == 0 else None,
                revision=1,
                created_at=feedback.released_at + timedelta(days=2),
                updated_at=feedback.released_at + timedelta(days=2),
            )
        )


def _past_lead(
    candidate: Candidate, feedback: Feedback, recruiter: User, admin: User, at: datetime
) -> None:
    """A declined candidate who still left with a lead."""
    lead = Referral(
        candidate=candidate,
        kind=ReferralKind.LEAD,
        lead_kind=LeadKind.MARKET,
        market="Retail analytics teams hiring this quarter",
        proposed_by=recruiter,
        owner=admin,
        feedback=feedback,
        note_to_candidate="Two teams in this market look for exactly the reporting work you "
        "described.",
        created_at=at,
    )
    lead.transitions.append(
        ReferralTransition(to_status=ReferralStatus.PROPOSED, actor=recruiter, at=at)
    )
    lead.transitions.append(
        ReferralTransition(
            from_status=ReferralStatus.PROPOSED,
            to_status=ReferralStatus.APPROVED,
            actor=admin,
            at=at + timedelta(hours=2),
        )
    )
    lead.status = ReferralStatus.APPROVED
    lead.status_changed_at = at + timedelta(hours=2)
    db.session.add(lead)


# Panels led by the README's recruiter (Riley), with Sam and Avery: one debriefed and released
# (the panel disagreed on presence), one waiting for Sam, whose scorecard is overdue.
PANEL_SCORES = {
    "recruiter@example.com": {Dimension.PRESENCE: 2, Dimension.EXCHANGE: 4},
    "sam.okafor@example.com": {Dimension.PRESENCE: 4, Dimension.EXCHANGE: 4},
    "admin@example.com": {Dimension.PRESENCE: 5, Dimension.EXCHANGE: 3},
}
PANEL_WORDS = {
    "recruiter@example.com": (
        "You tied each answer about the forecasting tool back to a decision it changed.",
        "You looked at your notes for most of the first half; look up and talk to the room.",
    ),
    "sam.okafor@example.com": (
        "Your walk-through of the stock model was clear and well paced.",
        "Ask one question about the team's roadmap; you asked none about the company.",
    ),
    "admin@example.com": (
        "You took our challenge on the data quality issue calmly and kept building on it.",
        "Say what you would do in your first month; the answer stayed abstract.",
    ),
}
PRESENCE_REASON = (
    "Riley scored the first half, Avery the second; the candidate settled in after the break, so "
    "the middle rating stands."
)


def _panels(
    candidates: list[Candidate],
    positions: list[Position],
    staff: list[User],
    rng: random.Random,
    now: datetime,
) -> None:
    by_email = {u.email: u for u in staff}
    lead = by_email["recruiter@example.com"]
    # Lena Fischer's second interview: debriefed, and released as one voice.
    done = _panel_interview(candidates[2], positions[2], lead, staff, now - timedelta(days=6))
    cards = [
        _member_card(done, author, rng, done.scheduled_at, FeedbackState.SUBMITTED)
        for author in staff
    ]
    voice = _feedback(done, lead, FeedbackState.DRAFT, rng, done.scheduled_at, True)
    for skill_rating in voice.skill_ratings:  # the panel's median, as the debrief starts it
        skill_rating.score = panel_median(
            r.score for c in cards for r in c.skill_ratings if r.skill_key == skill_rating.skill_key
        )
    voice.kind = FeedbackKind.PANEL
    scores = {d: sorted(PANEL_SCORES[u.email].get(d, 4) for u in staff)[1] for d in Dimension}
    for rating in voice.ratings:
        rating.score = scores[rating.dimension]
    voice.strengths = PANEL_WORDS["sam.okafor@example.com"][0]
    voice.improvements = PANEL_WORDS["recruiter@example.com"][1]
    voice.state = FeedbackState.RELEASED
    voice.submitted_at = done.scheduled_at + timedelta(days=1)
    voice.released_at = done.scheduled_at + timedelta(days=1, hours=2)
    voice.revision = 1
    voice.revisions.append(_revision(voice, 1, lead, voice.released_at, reason=None))
    # Kwame Asante's second interview, two days ago: Sam has not written a scorecard yet.
    waiting = _panel_interview(candidates[9], positions[0], lead, staff, now - timedelta(days=2))
    for author in (lead, by_email["admin@example.com"]):
        _member_card(waiting, author, rng, waiting.scheduled_at, FeedbackState.SUBMITTED)


def _panel_interview(
    candidate: Candidate, position: Position, lead: User, members: list[User], when: datetime
) -> Interview:
    interview = Interview(
        candidate=candidate,
        position=position,
        interviewer=lead,
        stage=Stage.SECOND,
        format=InterviewFormat.ONSITE,
        scheduled_at=when,
        duration_minutes=90,
        location="Head office, 3rd floor",
    )
    for person in members:
        interview.panel.append(PanelMember(user=person))
    db.session.add(interview)
    return interview


def _member_card(
    interview: Interview, author: User, rng: random.Random, when: datetime, state: FeedbackState
) -> Feedback:
    card = _feedback(interview, author, state, rng, when, True)
    for rating in card.ratings:
        rating.score = PANEL_SCORES[author.email].get(rating.dimension, 4)
    card.strengths, card.improvements = PANEL_WORDS[author.email]
    card.private_notes = f"{author.name.split()[0]}'s own notes: salary range still open."
    return card


def _ensure_staff() -> list[User]:
    users = []
    for email, name, role in STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, name=name, role=role, password_hash=hash_password(DEMO_PASSWORD)
            )
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _companies_and_positions() -> list[Position]:
    db.session.flush()
    by_family = {t.family: t for t in db.session.scalars(select(ScorecardTemplate)) if t.family}
    positions = []
    for name, titles in CLIENTS.items():
        company = Company(name=name, kind=CompanyKind.CLIENT, website=None)
        db.session.add(company)
        for title in titles:
            family = POSITION_TEMPLATES.get(title)
            position = Position(
                company=company,
                title=title,
                location="Hybrid",
                template=by_family.get(family) if family else None,
            )
            for (for_title, stage), stage_family in STAGE_TEMPLATES.items():
                if for_title == title and stage_family in by_family:
                    position.stage_templates.append(
                        PositionStageTemplate(stage=stage, template=by_family[stage_family])
                    )
            db.session.add(position)
            positions.append(position)
    return positions


def _partners() -> list[PartnerContact]:
    contacts = []
    for name, people in PARTNERS.items():
        company = Company(name=name, kind=CompanyKind.PARTNER)
        db.session.add(company)
        for person, role_title, email in people:
            contact = PartnerContact(
                company=company, name=person, role_title=role_title, email=email
            )
            db.session.add(contact)
            contacts.append(contact)
    return contacts


def _candidates(creator: User) -> list[Candidate]:
    candidates = []
    for i, (email, name, headline) in enumerate(CANDIDATES):
        candidate = Candidate(name=name, email=email, headline=headline, created_by=creator)
        if i < 2:
            candidate.user = User(
                email=email,
                name=name,
                role=Role.CANDIDATE,
                password_hash=hash_password(DEMO_PASSWORD),
            )
        db.session.add(candidate)
        candidates.append(candidate)
    return candidates


def _feedback(
    interview: Interview,
    author: User,
    state: FeedbackState,
    rng: random.Random,
    when: datetime,
    is_last: bool,
) -> Feedback:
    base = rng.choice([2, 3, 3, 4])
    feedback = Feedback(
        interview=interview,
        author=author,
        state=state,
        decision=Decision.INVITE if base >= 3 and is_last else rng.choice(list(Decision)),
        next_step="A 45-minute second interview with the team lead, including a short case study.",
        next_step_on=(when + timedelta(days=14)).date(),
        strengths=rng.choice(STRENGTHS),
        improvements=rng.choice(IMPROVEMENTS),
        practice_suggestions="\n".join(rng.sample(PRACTICE, 2)),
        insight_plans="The team is expanding into self-service reporting for store managers "
        "next year.",
        insight_competitors="Two regional competitors are building analytics teams and hiring now.",
        insight_markets="Demand forecasting for smaller retailers is a growing niche.",
        insight_role_fit="The role is hands-on with data pipelines; it suits someone who enjoys "
        "building tools more than presenting.",
        private_notes="Salary expectation discussed; check budget with the hiring manager.",
        created_at=when,
    )
    for dim in Dimension:
        score = max(1, min(5, base + rng.choice([-1, 0, 0, 1])))
        feedback.ratings.append(
            Rating(
                dimension=dim,
                score=score,
                example="You asked how the team prioritises requests from different stores."
                if dim is Dimension.QUESTIONS
                else None,
            )
        )
    _template_part(feedback, interview, base, rng)
    if state is not FeedbackState.DRAFT:
        feedback.submitted_at = when + timedelta(hours=3)
    if state is FeedbackState.RELEASED:
        feedback.released_at = when + timedelta(days=1)
        feedback.revision = 1
        feedback.revisions.append(_revision(feedback, 1, author, feedback.released_at, reason=None))
    db.session.add(feedback)
    return feedback


def _template_part(feedback: Feedback, interview: Interview, base: int, rng: random.Random) -> None:
    """The role skills and questions of the position's template, rated and answered."""
    with db.session.no_autoflush:  # the scorecard joins the session once it is complete
        template = template_for(interview.position, interview.stage)
        if template is None:
            return
        feedback.template_version = template.current
    definition = feedback.template_version.spec
    for skill in definition.skills:
        feedback.skill_ratings.append(
            SkillRating(
                skill_key=skill.key,
                score=max(1, min(5, base + rng.choice([-1, 0, 1]))),
                example=SKILL_EXAMPLES.get(skill.key),
            )
        )
    for question in definition.questions:
        text = (
            CANDIDATE_ANSWER
            if question.candidate_facing
            else "The walk-through of their last project, with the figures they checked."
        )
        feedback.answers.append(QuestionAnswer(question_key=question.key, text=text))


def _revision(
    feedback: Feedback, number: int, author: User, at: datetime, reason: str | None
) -> FeedbackRevision:
    weights = scorecard_definition(feedback).all_weights()
    return FeedbackRevision(
        number=number,
        content=candidate_content(feedback),
        weights=weights,
        score=weighted_score(all_scores(feedback), weights),
        template_version=feedback.template_version,
        reason=reason,
        released_by=author,
        released_at=at,
    )


def _amend(feedback: Feedback, now: datetime) -> None:
    """A released scorecard corrected later, so the demo shows what the candidate is told."""
    feedback.strengths = (
        "You explained how you rebuilt the weekly stock report, including the numbers you "
        "checked it against, and you asked how the team measures forecast accuracy."
    )
    feedback.revision = 2
    feedback.revisions.append(
        _revision(feedback, 2, feedback.author, now - timedelta(days=1), reason=AMENDMENT_REASON)
    )


def _referrals(
    candidates: list[Candidate],
    contacts: list[PartnerContact],
    positions: list[Position],
    recruiters: list[User],
    admin: User,
    released: dict[int, Feedback],
    now: datetime,
) -> None:
    path = [
        ReferralStatus.PROPOSED,
        ReferralStatus.APPROVED,
        ReferralStatus.CONSENTED,
        ReferralStatus.INTRODUCED,
        ReferralStatus.INTERVIEWING,
        ReferralStatus.HIRED,
    ]
    # fmt: off
    specs = [
        # candidate, kind, contact index or lead kind, role or market, lead's company, final status
        (0, ReferralKind.REFERRAL, 0, "Senior Data Analyst", None, ReferralStatus.APPROVED),
        (0, ReferralKind.LEAD, LeadKind.COMPETITOR, "Analytics roles", "Bluepeak Software",
         ReferralStatus.APPROVED),
        (1, ReferralKind.REFERRAL, 2, "Operations Manager", None, ReferralStatus.APPROVED),
        (3, ReferralKind.REFERRAL, 1, "Data Platform Engineer", None, ReferralStatus.INTRODUCED),
        (6, ReferralKind.REFERRAL, 0, "BI Lead", None, ReferralStatus.HIRED),
        (7, ReferralKind.LEAD, LeadKind.MARKET, "Cold-chain logistics", None,
         ReferralStatus.PROPOSED),
        (9, ReferralKind.REFERRAL, 2, "Energy Data Analyst", None, ReferralStatus.DECLINED),
        (4, ReferralKind.LEAD, LeadKind.OPENING, "Clinical Data Manager", "Harbor Health",
         ReferralStatus.PROPOSED),
    ]
    # fmt: on
    companies = {c.name: c for c in db.session.scalars(select(Company))}
    for ci, kind, target, role_or_market, lead_company, final in specs:
        recruiter = recruiters[ci % len(recruiters)]
        referral = Referral(
            candidate=candidates[ci],
            kind=kind,
            proposed_by=recruiter,
            owner=admin,
            feedback=released.get(ci),
            note_to_candidate="Your questions about how the team plans its work stood out; "
            "this team works the same way and is looking for someone like you.",
            follow_up_on=(now + timedelta(days=7)).date() if final.is_open else None,
            created_at=now - timedelta(days=20),
        )
        if kind is ReferralKind.REFERRAL:
            contact = contacts[target]
            referral.contact = contact
            referral.company = contact.company
            referral.role_title = role_or_market
        else:
            referral.lead_kind = target
            if target is LeadKind.MARKET:
                referral.market = role_or_market
            else:
                referral.role_title = role_or_market
            referral.company = companies.get(lead_company) if lead_company else None
        steps = path[: path.index(final) + 1] if final in path else path[:2] + [final]
        previous = None
        for i, status in enumerate(steps):
            actor = admin if status is ReferralStatus.APPROVED else recruiter
            if status in (ReferralStatus.CONSENTED, ReferralStatus.DECLINED):
                # Only the candidate answers an offer (an admin may record an answer given
                # in person, as for candidates who have not joined the portal).
                actor = candidates[ci].user or admin
            at = now - timedelta(days=20 - 3 * i)
            referral.transitions.append(
                ReferralTransition(from_status=previous, to_status=status, actor=actor, at=at)
            )
            previous = status
            referral.status = status
            referral.status_changed_at = at
        db.session.add(referral)
