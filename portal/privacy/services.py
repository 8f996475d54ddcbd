"""Export everything held about a candidate; erase a candidate; purge the inactive.

Erasure removes or anonymises personal data everywhere it is kept: the candidate profile and
account (and its sessions), every word written about them — scorecard text in every revision,
private notes, observed examples, amendment reasons, the words a release check matched,
interview locations, referral notes, roles and markets, transition notes — report files and
their download log, mail in the outbox, queued mail and the job queue in Redis, and the audit
trail's details and addresses (and, in imports, the external ids of refused rows and waiting
uploads that name them: portal/imports/privacy.py), and what the candidate said about their
feedback (answers, questions and corrections, deleted outright). Ratings, decisions and
referral states stay, tied to a placeholder ("Erased candidate #id"), so aggregate statistics
do not change. The audit log is otherwise append-only; erasure is the one sanctioned rewrite
of its details, and the erasure itself is audited without personal data. Logs never carry
candidates' words (request logs leave out query strings; job failures log the error's type only).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal import audit, events, jobs
from portal import cache as stamps
from portal.auth import sessions
from portal.extensions import db
from portal.feedback.content import CANDIDATE_TEXT_FIELDS
from portal.imports import privacy as import_privacy
from portal.models import (
    VISIBLE_STATUSES,
    AuditEvent,
    Candidate,
    CandidateAnswer,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    FeedbackThread,
    Gain,
    Interview,
    Job,
    JobStatus,
    Position,
    QuestionAnswer,
    Rating,
    Referral,
    ReferralTransition,
    ReleaseAcknowledgement,
    Report,
    SkillRating,
    ThreadMessage,
    User,
    UserSession,
    utcnow,
)
from portal.reports.store import current_reports, get_or_build, queue_render, report_path
from portal.reports.types import ReportUnavailable
from portal.text import clean_name
from portal.unit_of_work import DomainError, after_commit

ERASED_TEXT = "[erased]"


class PrivacyError(DomainError):
    """The message is safe to show."""


# --- export -------------------------------------------------------------------------------


def export_candidate(candidate: Candidate) -> bytes:
    """A zip with data.json (everything held about the candidate that is theirs to see) and
    their PDF reports. Private recruiter notes are internal working notes and are not part of
    the self-service export (see README, Privacy)."""
    data = candidate_data(candidate)
    buffer = io.BytesIO()
    preparing = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        for request, key, report in current_reports(candidate.id):
            if report is None and jobs.uses_queue():
                # Never render in a web worker when a queue exists (as for downloads).
                queue_render(request, key)
                preparing += 1
                continue
            try:
                report = report or get_or_build(request, key)
            except ReportUnavailable:
                continue
            name = f"reports/{request.kind.value}-{request.feedback_id or 'journey'}.pdf"
            archive.write(report_path(report), name)
        readme = EXPORT_README
        if preparing:
            readme += PREPARING_NOTE.format(count=preparing)
        archive.writestr("README.txt", readme)
    return buffer.getvalue()


EXPORT_README = """This archive holds the data BetterOff keeps about you.

data.json    your profile, your interviews, the feedback released to you (every version),
             the referrals and leads proposed for you and what happened to them, your
             account's sign-in history and report downloads.
reports/     your PDF feedback reports.
"""

PREPARING_NOTE = """
{count} of your reports were still being prepared when this archive was made and are not in
reports/. Download your data again in a minute to have them all.
"""


def candidate_data(candidate: Candidate) -> dict[str, Any]:
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.candidate_id == candidate.id)
        .options(
            selectinload(Interview.position).selectinload(Position.company),
            selectinload(Interview.feedback).selectinload(Feedback.revisions),
        )
        .order_by(Interview.scheduled_at)
    ).all()
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.candidate_id == candidate.id, Referral.status.in_(VISIBLE_STATUSES))
        .options(selectinload(Referral.company), selectinload(Referral.transitions))
        .order_by(Referral.id)
    ).all()
    answers = db.session.scalars(
        select(CandidateAnswer)
        .where(CandidateAnswer.candidate_id == candidate.id)
        .order_by(CandidateAnswer.id)
    ).all()
    threads = db.session.scalars(
        select(FeedbackThread)
        .where(FeedbackThread.candidate_id == candidate.id)
        .options(selectinload(FeedbackThread.messages))
        .order_by(FeedbackThread.id)
    ).all()
    events = []
    if candidate.user_id:
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == candidate.user_id)
            .order_by(AuditEvent.id)
        ).all()
    return {
        "exported_at": utcnow().isoformat(timespec="seconds") + "Z",
        "profile": {
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "headline": candidate.headline,
            "added_on": candidate.created_at.isoformat(timespec="seconds"),
            "invited_on": candidate.invited_at.isoformat(timespec="seconds")
            if candidate.invited_at
            else None,
            # Which record of another system (an ATS, a CSV import) this one is linked to.
            "linked_record": {"system": candidate.external_source, "id": candidate.external_id}
            if candidate.external_id
            else None,
        },
        "interviews": [
            {
                "stage": i.stage.label,
                "position": i.position.title,
                "company": i.position.company.name,
                "when": i.scheduled_at.isoformat(timespec="minutes"),
                "format": i.format.label,
                "released_feedback": [
                    {
                        "revision": r.number,
                        "released_at": r.released_at.isoformat(timespec="seconds"),
                        "reason_for_change": r.reason,
                        "content": r.content,
                    }
                    for f in i.feedback
                    if f.state is FeedbackState.RELEASED
                    for r in f.revisions
                ],
            }
            for i in interviews
        ],
        "referrals_and_leads": [
            {
                "kind": r.kind.value,
                "company": r.company.name if r.company else None,
                "role": r.role_title,
                "market": r.market,
                "note_to_you": r.note_to_candidate,
                "status": r.status.value,
                "history": [
                    {"status": t.to_status.value, "at": t.at.isoformat(timespec="seconds")}
                    for t in r.transitions
                ],
            }
            for r in referrals
        ],
        # What you told us about your feedback: your answers, questions and corrections.
        "your_answers": [
            {
                "feedback": a.feedback_id,
                **{g.value: a.gain(g).value for g in Gain},
                "usefulness": a.usefulness,
                "comment": a.comment,
                "about_revision": a.revision,
                "answered_at": a.created_at.isoformat(timespec="seconds"),
                "changed_at": a.updated_at.isoformat(timespec="seconds"),
            }
            for a in answers
        ],
        "your_questions_and_corrections": [
            {
                "feedback": t.feedback_id,
                "kind": t.kind.value,
                "state": t.state.value,
                "opened_at": t.opened_at.isoformat(timespec="seconds"),
                "outcome": t.outcome,
                "messages": [
                    {
                        "from": "you" if m.from_candidate else "your recruiter",
                        "at": m.created_at.isoformat(timespec="seconds"),
                        "text": m.body,
                    }
                    for m in t.messages
                ],
            }
            for t in threads
        ],
        "account_activity": [
            {"action": e.action, "at": e.at.isoformat(timespec="seconds"), "from": e.origin}
            for e in events
        ],
    }


# --- erasure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureSummary:
    candidate_id: int
    feedback: int
    referrals: int
    report_files: int
    outbox_files: int

    def message(self) -> str:
        return (
            f"Erased candidate #{self.candidate_id}: {self.feedback} scorecard(s) and "
            f"{self.referrals} referral(s) anonymised, {self.report_files} report file(s) "
            f"and {self.outbox_files} email(s) deleted."
        )


def erase_candidate(
    candidate: Candidate, *, actor: User | None, confirmed_name: str | None = None
) -> ErasureSummary:
    """Remove or anonymise the candidate's personal data everywhere (see module docstring).

    From the admin page the candidate's name must be typed to confirm (`confirmed_name`);
    `flask privacy purge` passes None. Files and Redis copies go once the erasure commits."""
    if candidate.erased_at is not None:
        raise PrivacyError("This candidate was already erased.")
    if confirmed_name is not None and confirmed_name != clean_name(candidate.name):
        raise PrivacyError(
            "That is not the candidate's name as recorded; nothing was erased.",
            field="confirm_name",
        )
    name, email, cid = candidate.name, candidate.email, candidate.id
    identifiers = [s for s in {name, email, (candidate.phone or "")} if s]
    import_privacy.forget_candidate(candidate)

    # Bulk statements below pass the ORM by: every cached copy of the candidate's pages and
    # session goes (each process drops its cache at its next request), as does the staff's.
    stamps.bump(stamps.PURGE, stamps.ALL, stamps.SHARED, stamps.candidate_stamp(cid))
    if candidate.user_id is not None:
        stamps.bump(stamps.user_stamp(candidate.user_id))
    feedback_ids = db.session.scalars(
        select(Feedback.id).join(Feedback.interview).where(Interview.candidate_id == cid)
    ).all()
    _erase_feedback(feedback_ids)
    interview_ids = db.session.scalars(
        select(Interview.id).where(Interview.candidate_id == cid)
    ).all()
    if interview_ids:
        db.session.execute(
            update(Interview)
            .where(Interview.id.in_(interview_ids))
            .values(location=None, external_source=None, external_id=None)
        )
    referral_ids = db.session.scalars(select(Referral.id).where(Referral.candidate_id == cid)).all()
    if referral_ids:
        db.session.execute(
            update(Referral)
            .where(Referral.id.in_(referral_ids))
            .values(note_to_candidate=ERASED_TEXT, role_title=None, market=None)
        )
        db.session.execute(
            update(ReferralTransition)
            .where(ReferralTransition.referral_id.in_(referral_ids))
            .values(note=None)
        )
    # What the candidate said about their feedback: their words, so deleted outright (the
    # measure loses these answers; messages go with their threads).
    db.session.execute(delete(CandidateAnswer).where(CandidateAnswer.candidate_id == cid))
    thread_ids = select(FeedbackThread.id).where(FeedbackThread.candidate_id == cid)
    db.session.execute(delete(ThreadMessage).where(ThreadMessage.thread_id.in_(thread_ids)))
    db.session.execute(delete(FeedbackThread).where(FeedbackThread.candidate_id == cid))
    report_files = _erase_reports(cid)
    outbox_files = _erase_outbox(identifiers)
    _erase_queued_mail(identifiers)
    objects = {
        "candidate": [cid],
        "interview": list(interview_ids),
        "feedback": list(feedback_ids),
        "referral": list(referral_ids),
    }
    _erase_audit_details(objects, identifiers, candidate.user_id)

    if candidate.user is not None:
        user = candidate.user
        user.name = f"Erased candidate #{cid}"
        user.email = f"erased-user-{user.id}@erased.invalid"
        user.password_hash = None
        user.active = False
        sessions.end_all(user)
        # Sessions record where and with what browser the person signed in: gone too.
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    external = {"source": candidate.external_source, "id": candidate.external_id}
    candidate.external_source = candidate.external_id = None
    candidate.name = f"Erased candidate #{cid}"
    candidate.email = f"erased-{cid}@erased.invalid"
    candidate.phone = None
    candidate.headline = None
    candidate.erased_at = utcnow()
    db.session.flush()
    audit.record(
        "candidate_erased",
        candidate,
        actor=actor,
        feedback=len(feedback_ids),
        referrals=len(referral_ids),
        report_files=report_files,
        outbox_files=outbox_files,
    )
    events.candidate_erased.send(cid, external=external, actor=actor)
    return ErasureSummary(cid, len(feedback_ids), len(referral_ids), report_files, outbox_files)


def _erase_feedback(feedback_ids: list[int]) -> None:
    if not feedback_ids:
        return
    blank = {field: None for field in (*CANDIDATE_TEXT_FIELDS, "private_notes")}
    # Core updates: the scorecards keep their ratings and decision, lose every word.
    db.session.execute(update(Feedback).where(Feedback.id.in_(feedback_ids)).values(**blank))
    db.session.execute(
        update(Rating)
        .where(Rating.feedback_id.in_(feedback_ids))
        .values(example=None, adjustment_reason=None)
    )
    db.session.execute(
        update(SkillRating)
        .where(SkillRating.feedback_id.in_(feedback_ids))
        .values(example=None, adjustment_reason=None)
    )
    db.session.execute(delete(QuestionAnswer).where(QuestionAnswer.feedback_id.in_(feedback_ids)))
    db.session.execute(
        update(ReleaseAcknowledgement)
        .where(ReleaseAcknowledgement.feedback_id.in_(feedback_ids))
        .values(matched_text=ERASED_TEXT, category=ERASED_TEXT)  # what was said, and about what
    )
    revisions = db.session.execute(
        select(FeedbackRevision.id, FeedbackRevision.content).where(
            FeedbackRevision.feedback_id.in_(feedback_ids)
        )
    ).all()
    for revision_id, content in revisions:
        scrubbed = {**content, **{field: None for field in CANDIDATE_TEXT_FIELDS}}
        scrubbed["ratings"] = [{**r, "example": None} for r in content.get("ratings", [])]
        scrubbed["skills"] = [{**r, "example": None} for r in content.get("skills", [])]
        scrubbed["answers"] = []
        db.session.execute(
            update(FeedbackRevision)
            .where(FeedbackRevision.id == revision_id)
            .values(content=scrubbed, reason=None)
        )
    db.session.expire_all()  # loaded scorecards must not write their old text back


def _erase_reports(candidate_id: int) -> int:
    reports = db.session.scalars(select(Report).where(Report.candidate_id == candidate_id)).all()
    files = [path for report in reports if (path := report_path(report)).exists()]
    after_commit(_delete_files, files)
    if reports:
        ids = [r.id for r in reports]
        db.session.execute(Report.__table__.delete().where(Report.id.in_(ids)))
    return len(files)


def _delete_files(paths: list[Path]) -> None:
    """Once the erasure has committed: a rolled-back erasure must not have lost the files."""
    for path in paths:
        path.unlink(missing_ok=True)


def message_text(raw: bytes) -> str:
    """Everything a mail says, headers and decoded parts (base64 and quoted-printable too)."""
    message = message_from_bytes(raw)
    parts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


def _erase_outbox(identifiers: list[str]) -> int:
    outbox = Path(current_app.config["OUTBOX_DIR"])
    if not outbox.exists():
        return 0
    needles = [s.lower() for s in identifiers]
    files = [
        path
        for path in outbox.glob("*.eml*")
        if any(n in message_text(path.read_bytes()).lower() for n in needles)
    ]
    after_commit(_delete_files, files)
    return len(files)


def _erase_queued_mail(identifiers: list[str]) -> None:
    """Mail jobs that name the candidate lose their message and error text, and their
    entries in the Redis queue (RQ keeps a job's arguments and its error there)."""
    lowered = [s.lower() for s in identifiers]
    conditions = [func.lower(cast(Job.payload, Text)).contains(s) for s in lowered] + [
        func.lower(Job.last_error).contains(s) for s in lowered
    ]
    matched = db.session.scalars(select(Job).where(or_(*conditions))).all()
    for job in matched:
        if job.kind == "send_mail":
            job.payload = {"message": ERASED_TEXT}
            if job.status is not JobStatus.DONE:
                job.status = JobStatus.CANCELLED  # never sent now
                job.finished_at = utcnow()
        job.last_error = ERASED_TEXT if job.last_error else None
    if matched and jobs.uses_queue():
        after_commit(jobs.forget_queued, [job.id for job in matched])


# Detail keys that hold words someone wrote (events written before they were kept out).
FREE_TEXT_KEYS = frozenset({"reason", "note", "findings", "email", "text", "message"})


def _erase_audit_details(
    objects: dict[str, list[int]], identifiers: list[str], user_id: int | None
) -> None:
    """Scrub personal data from audit details (the events themselves stay): any value that
    names the candidate, and any free text in events about their records. Events the
    candidate caused lose the address they came from."""
    lowered = [s.lower() for s in identifiers]
    conditions = [func.lower(cast(AuditEvent.details, Text)).contains(s) for s in lowered]
    conditions += [
        (AuditEvent.object_type == kind) & AuditEvent.object_id.in_(ids)
        for kind, ids in objects.items()
        if ids
    ]
    events = db.session.execute(
        select(AuditEvent.id, AuditEvent.details).where(or_(*conditions))
    ).all()
    for event_id, details in events:
        scrubbed = {
            key: ERASED_TEXT
            if key in FREE_TEXT_KEYS
            or any(s in json.dumps(value, default=str).lower() for s in lowered)
            else value
            for key, value in (details or {}).items()
        }
        if scrubbed != (details or {}):
            # The one sanctioned rewrite of the audit log: a core UPDATE, not an ORM change.
            db.session.execute(
                update(AuditEvent).where(AuditEvent.id == event_id).values(details=scrubbed)
            )
    if user_id is not None:
        db.session.execute(
            update(AuditEvent).where(AuditEvent.actor_id == user_id).values(origin=None)
        )


# --- retention ----------------------------------------------------------------------------


def parse_age(text: str) -> timedelta:
    """'730d', '104w', '24m' (30-day months) or '2y' (365-day years)."""
    units = {"d": 1, "w": 7, "m": 30, "y": 365}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise PrivacyError("Give an age like 730d, 104w, 24m or 2y.")
    return timedelta(days=int(text[:-1]) * units[text[-1]])


def inactive_candidates(older_than: timedelta, now: datetime | None = None) -> list[Candidate]:
    """Candidates with no activity of any kind since the cut-off, not yet erased."""
    cutoff = (now or utcnow()) - older_than
    recent_interview = (
        select(Interview.id)
        .where(Interview.candidate_id == Candidate.id, Interview.scheduled_at >= cutoff)
        .exists()
    )
    recent_feedback = (
        select(Feedback.id)
        .join(Feedback.interview)
        .where(Interview.candidate_id == Candidate.id, Feedback.updated_at >= cutoff)
        .exists()
    )
    recent_referral = (
        select(Referral.id)
        .where(Referral.candidate_id == Candidate.id, Referral.status_changed_at >= cutoff)
        .exists()
    )
    recent_sign_in = (
        select(User.id).where(User.id == Candidate.user_id, User.last_login_at >= cutoff).exists()
    )
    return list(
        db.session.scalars(
            select(Candidate)
            .where(
                Candidate.erased_at.is_(None),
                Candidate.last_activity_at < cutoff,
                Candidate.created_at < cutoff,
                ~recent_interview,
                ~recent_feedback,
                ~recent_referral,
                ~recent_sign_in,
            )
            .order_by(Candidate.id)
        )
    )
