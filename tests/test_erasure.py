"""Erasure leaves nothing behind, and an erased candidate's record is frozen.

A unique marker goes into every field a recruiter or the candidate can fill for the candidate,
through the real pages, with Redis and a real RQ worker, so that mail is both sent (outbox)
and still queued when the erasure happens. After the erasure the marker — and the words a
release check matched — must be found nowhere: no table, no outbox file (decoded), no report
file (its text too), no Redis key (decompressed too).
"""

from __future__ import annotations

import contextlib
import io
import re
import uuid
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from rq import SimpleWorker

from portal import jobs
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.models import (
    Base,
    Candidate,
    CompanyKind,
    Feedback,
    Interview,
    Job,
    JobStatus,
    PartnerContact,
    Referral,
)
from portal.privacy.services import message_text
from portal.release_check import screening
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_form, sign_in

RISKY_WORD = "pregnancy"  # a release-check finding the recruiter keeps on purpose


def work_queue(app) -> None:
    queue = jobs.redis_queue(app.config["REDIS_URL"])
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def csrf_free(client, url, **data):
    response = client.post(url, data=data)
    assert response.status_code in (200, 302), (url, response.status_code)
    return response


def everything_in_database() -> str:
    chunks = []
    conn = db.session.connection()  # the test's transaction on PostgreSQL, so it sees all
    for table in Base.metadata.sorted_tables:
        for row in conn.execute(sa.select(table)):
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def everything_in_folder(folder: Path) -> str:
    chunks = []
    for path in folder.rglob("*") if folder.exists() else []:
        if not path.is_file():
            continue
        raw = path.read_bytes()
        chunks.append(raw.decode("utf-8", "replace"))
        if raw.startswith(b"%PDF"):
            chunks.extend(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages)
        elif path.suffix.startswith(".eml"):
            chunks.append(message_text(raw))
    return "\n".join(chunks)


def everything_in_redis(url: str) -> str:
    connection = jobs.redis_client(url)
    chunks = []
    for key in connection.scan_iter():
        chunks.append(key.decode("utf-8", "replace"))
        kind = connection.type(key).decode()
        values: list[bytes] = []
        if kind == "string":
            values = [connection.get(key) or b""]
        elif kind == "hash":
            values = [v for pair in connection.hgetall(key).items() for v in pair]
        elif kind == "list":
            values = connection.lrange(key, 0, -1)
        elif kind == "set":
            values = list(connection.smembers(key))
        elif kind == "zset":
            values = [m for m, _ in connection.zrange(key, 0, -1, withscores=True)]
        for value in values:
            chunks.append(value.decode("utf-8", "replace"))
            with contextlib.suppress(zlib.error):
                chunks.append(zlib.decompress(value).decode("utf-8", "replace"))
    return "\n".join(chunks)


@pytest.fixture
def world(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url, JOB_RETRY_INTERVALS=[0, 0], RENDER_REPORTS_ON_RELEASE=True)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com", name="Ada Admin")
        recruiter = factories.user(role="recruiter", email="rec@example.com", name="Rita Recruiter")
        partner = factories.company("Bluepeak Software", kind=CompanyKind.PARTNER)
        contact = PartnerContact(company=partner, name="Lee Park", email="lee@bluepeak.example")
        db.session.add(contact)
        position = factories.position("Data Analyst")
        commit()
        yield app, admin, recruiter, partner, contact, position


def test_erasure_leaves_no_marker_anywhere(world, redis_url):
    app, admin, recruiter, partner, contact, position = world
    marker = f"Zq{uuid.uuid4().hex[:10]}"
    m = marker.lower()
    staff, cand_browser = app.test_client(), app.test_client()

    # The recruiter fills every field about the candidate, through the pages.
    sign_in(staff, recruiter.email)
    csrf_free(
        staff,
        "/candidates/new",
        name=f"Maya {marker}",
        email=f"maya.{m}@example.com",
        phone=f"+44 {marker}",
        headline=f"Analyst {marker}",
        send_invitation="y",
    )
    candidate = db.session.scalar(sa.select(Candidate).where(Candidate.email.contains(m)))
    csrf_free(
        staff,
        "/interviews/new",
        candidate_id=str(candidate.id),
        position_id=str(position.id),
        interviewer_id=str(recruiter.id),
        stage="first",
        format="video",
        scheduled_at="2026-11-20T10:00",
        location=f"Room {marker}",
    )
    interview = db.session.scalar(
        sa.select(Interview).where(Interview.candidate_id == candidate.id)
    )
    edit = staff.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    texts = {
        name: f"{label} {marker}."
        for name, label in [
            ("next_step", "A second interview, as agreed with"),
            ("improvements", "Give one concrete example, as noted by"),
            ("insight_plans", "Self-service reporting, shared with"),
            ("insight_competitors", "Northwind is hiring, told to"),
            ("insight_markets", "Cold-chain logistics, for"),
            ("insight_role_fit", "A good match for"),
            ("private_notes", "Salary expectations of"),
        ]
    }
    texts["strengths"] = f"You explained the pipeline well, {marker}; {RISKY_WORD} came up."
    texts["practice_suggestions"] = (
        f"Prepare two stories {marker}.\nRead the annual report {marker}."
    )
    examples = {f"example_{d}": f"Observed {marker} {d}" for d in (
        "presence", "exchange", "listening", "questions", "preparation", "composure")}  # fmt: skip
    csrf_free(staff, edit, **scorecard_form(lock_version="1", submit="1", **texts, **examples))
    feedback = db.session.scalar(sa.select(Feedback).where(Feedback.interview_id == interview.id))
    keys = [screening.finding_key(f) for f in feedback_services.release_findings(feedback)]
    assert any(RISKY_WORD in k for k in keys), keys
    csrf_free(staff, f"/feedback/{feedback.id}/release", acknowledge=keys)

    # Referrals and leads, with notes, roles and a market; an admin moves one with a note.
    csrf_free(
        staff,
        f"/referrals/new?candidate={candidate.id}",
        kind="referral",
        contact_id=str(contact.id),
        referral_role=f"Analyst role {marker}",
        note_to_candidate=f"Your questions stood out, {marker}.",
    )
    csrf_free(
        staff,
        f"/referrals/new?candidate={candidate.id}",
        kind="lead",
        lead_kind="market",
        market=f"Market {marker}",
        note_to_candidate=f"A market for you, {marker}.",
    )
    work_queue(app)  # the invitation and release mails go out; the reports are rendered

    # The candidate accepts the invitation, reads, downloads and exports.
    invitation = next(
        m_
        for m_ in factories.Outbox(Path(app.config["OUTBOX_DIR"])).messages()
        if "invitation" in str(m_["Subject"]).lower()
    )
    link = re.search(r"https?://[^/\s]+(/invitation/\S+)", factories.body(invitation)).group(1)
    password = "a long and unguessable passphrase"
    csrf_free(cand_browser, link, password=password, confirm=password)
    assert cand_browser.get(f"/reports/feedback/{feedback.id}.pdf").status_code == 200
    assert cand_browser.get("/my/data-export").status_code == 200

    # An admin approves the referral with a note; an amendment with a reason is left queued.
    admin_browser = app.test_client()
    sign_in(admin_browser, admin.email)
    referral = db.session.scalar(
        sa.select(Referral).where(
            Referral.candidate_id == candidate.id, Referral.contact_id.is_not(None)
        )
    )
    csrf_free(
        admin_browser,
        f"/referrals/{referral.id}/move?to=approved",
        lock_version=str(referral.lock_version),
        note=f"Approved for {marker}",
    )
    db.session.refresh(feedback)
    keys = [screening.finding_key(f) for f in feedback_services.release_findings(feedback)]
    csrf_free(
        staff,
        edit,
        **scorecard_form(
            lock_version=str(feedback.lock_version),
            **{**texts, **examples, "insight_markets": f"Amended market view for {marker}."},
        ),
        amendment_reason=f"Corrected what {marker} said.",
        acknowledge=keys,
    )
    db.session.expire_all()
    queued = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.QUEUED)).all()
    assert any(j.kind == "send_mail" for j in queued), "the amendment mail should wait in the queue"
    assert m in everything_in_redis(redis_url) or queued  # there is something to erase there

    # Before the erasure, the marker is everywhere a search looks.
    assert m in everything_in_database().lower()
    assert m in everything_in_folder(Path(app.config["OUTBOX_DIR"])).lower()
    assert m in everything_in_folder(Path(app.config["REPORTS_DIR"])).lower()

    response = admin_browser.post(
        f"/admin/candidates/{candidate.id}/erase", data={"confirm_name": f"Maya {marker}"}
    )
    assert response.status_code == 302

    work_queue(app)  # a worker running after the erasure must not send the queued mail
    places = {
        "database": everything_in_database(),
        "outbox": everything_in_folder(Path(app.config["OUTBOX_DIR"])),
        "reports": everything_in_folder(Path(app.config["REPORTS_DIR"])),
        "redis": everything_in_redis(redis_url),
    }
    hits = {where: text.lower().count(m) for where, text in places.items()}
    assert hits == {"database": 0, "outbox": 0, "reports": 0, "redis": 0}
    assert RISKY_WORD not in places["database"].lower()
    assert RISKY_WORD[:7] not in places["outbox"].lower() + places["redis"].lower()


# --- an erased record is frozen ----------------------------------------------------------


@pytest.fixture
def erased(app, admin, recruiter, client):
    candidate = factories.candidate("Eve Erased", "eve@example.com")
    interview = factories.interview(candidate, recruiter)
    draft = factories.feedback(interview, recruiter, "draft")
    sign_in(client, admin.email)
    client.post(f"/admin/candidates/{candidate.id}/erase", data={"confirm_name": "Eve Erased"})
    client.post("/sign-out")
    db.session.expire_all()
    assert candidate.erased_at is not None
    return candidate, interview, draft


def test_an_erased_candidate_cannot_be_edited_invited_or_given_new_work(
    client, recruiter, outbox, erased
):
    candidate, interview, draft = erased
    sign_in(client, recruiter.email)
    before = len(outbox.messages())

    edit = client.post(
        f"/candidates/{candidate.id}/edit", data={"name": "Eve Again", "email": "eve@example.com"}
    )
    invite = client.post(f"/candidates/{candidate.id}/invite", follow_redirects=True)
    start = client.post(f"/interviews/{interview.id}/scorecard", follow_redirects=True)
    refer = client.get(f"/referrals/new?candidate={candidate.id}", follow_redirects=True)
    save = client.post(f"/feedback/{draft.id}/edit", data=scorecard_form(lock_version="1"))

    db.session.expire_all()
    assert edit.status_code == 302 and candidate.name == f"Erased candidate #{candidate.id}"
    assert "personal data was erased" in invite.text
    assert len(outbox.messages()) == before  # nothing mailed to erased-N@erased.invalid
    assert "personal data was erased" in start.text
    assert db.session.query(Feedback).filter_by(interview_id=interview.id).count() == 1
    assert "personal data was erased" in refer.text
    assert save.status_code == 403
    assert draft.strengths is None  # the erased scorecard did not get its words back


def test_an_erased_candidates_pages_show_no_buttons_that_would_change_it(client, recruiter, erased):
    candidate, interview, _ = erased
    sign_in(client, recruiter.email)

    page = client.get(f"/candidates/{candidate.id}").text
    interview_page = client.get(f"/interviews/{interview.id}").text

    assert "Personal data erased on" in page
    for label in ("Edit", "Invite to the portal", "Record an interview", "Propose a referral"):
        assert f">{label}" not in page
    for label in ("Write your scorecard", "Continue your scorecard", "Edit interview"):
        assert label not in interview_page
