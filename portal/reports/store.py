"""Generated reports on disk: keyed by a hash of their inputs, written atomically, reused.

A report's file name is the fingerprint of everything it is made from (released revisions,
referral states, template version), so an amendment or a referral change makes a new file
and an unchanged report is served from disk without rendering.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import jobs
from portal.extensions import db
from portal.models import (
    VISIBLE_STATUSES,
    Candidate,
    CandidateAnswer,
    Company,
    Feedback,
    FeedbackState,
    Interview,
    Position,
    Referral,
    Report,
    ReportKind,
)
from portal.reports.queries import build_interview_report, build_journey_report
from portal.reports.renderer import render_pdf
from portal.reports.types import TEMPLATE_VERSION, ReportData, ReportUnavailable


@dataclass(frozen=True)
class ReportRequest:
    """Which report: a candidate's journey, or one released scorecard."""

    kind: ReportKind
    candidate_id: int
    feedback_id: int | None = None
    # The copy staff (and the API) open: the journey report leaves out what the candidate
    # answered about their feedback, which no one but the candidate sees one by one.
    for_staff: bool = False

    def to_payload(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "candidate_id": self.candidate_id,
            "feedback_id": self.feedback_id,
            "for_staff": self.for_staff,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> ReportRequest:
        return cls(
            ReportKind(payload["kind"]),
            int(payload["candidate_id"]),
            payload.get("feedback_id"),
            bool(payload.get("for_staff")),
        )

    @property
    def with_say(self) -> bool:
        return self.kind is ReportKind.JOURNEY and not self.for_staff


def reports_dir() -> Path:
    return Path(current_app.config["REPORTS_DIR"])


def report_path(report: Report) -> Path:
    return reports_dir() / report.input_hash[:2] / f"{report.input_hash}.pdf"


def build_data(request: ReportRequest) -> ReportData:
    if request.kind is ReportKind.JOURNEY:
        return build_journey_report(request.candidate_id, with_say=request.with_say)
    if request.feedback_id is None:
        raise ReportUnavailable("an interview report needs a scorecard")
    return build_interview_report(request.feedback_id)


def input_key(request: ReportRequest) -> str:
    """A hash of what the report is made from, read with two small queries.

    The inputs are the released revisions of the candidate's scorecards (with the interview,
    position and company they belong to), the states of their visible referrals, the
    candidate's name and the template version. Any change to them makes a new report; a
    cache hit needs neither the report data nor a render.
    """
    scorecards, referrals = _key_inputs(request.candidate_id)
    if not scorecards or (
        request.feedback_id is not None
        and request.feedback_id not in {row[0] for row in scorecards}
    ):
        raise ReportUnavailable("no released feedback for this report")
    return _hash(request, scorecards, referrals)


def _key_inputs(candidate_id: int) -> tuple[list, list]:
    """The rows every report key of one candidate is made from (two queries). The last column
    of a scorecard row is when the candidate last answered it (the journey shows answers)."""
    scorecards = db.session.execute(
        select(
            Feedback.id,
            Feedback.revision,
            Interview.stage,
            Interview.scheduled_at,
            Position.title,
            Company.name,
            Candidate.name,
            CandidateAnswer.updated_at,
        )
        .outerjoin(CandidateAnswer, CandidateAnswer.feedback_id == Feedback.id)
        .join(Feedback.interview)
        .join(Interview.position)
        .join(Position.company)
        .join(Interview.candidate)
        .where(
            Interview.candidate_id == candidate_id,
            Candidate.erased_at.is_(None),
            Feedback.state == FeedbackState.RELEASED,
        )
        .order_by(Feedback.id)
    ).all()
    referrals = db.session.execute(
        select(Referral.id, Referral.status, Referral.lock_version, Referral.feedback_id)
        .where(
            Referral.candidate_id == candidate_id,
            Referral.status.in_(VISIBLE_STATUSES),
        )
        .order_by(Referral.id)
    ).all()
    return scorecards, referrals


def _hash(request: ReportRequest, scorecards: list, referrals: list) -> str:
    if request.feedback_id is not None:
        # An interview report covers the scorecards up to its interview and the referrals
        # linked to it (build_interview_report): a later release leaves it as it is.
        target = next(row for row in scorecards if row[0] == request.feedback_id)
        scorecards = [row for row in scorecards if (row[3], row[0]) <= (target[3], target[0])]
        referrals = [row for row in referrals if row[3] == request.feedback_id]
    if not request.with_say:  # only the candidate's journey shows their answers
        scorecards = [tuple(row)[:-1] for row in scorecards]
    payload = json.dumps(
        [
            TEMPLATE_VERSION,
            request.kind.value,
            request.feedback_id,
            *(["staff"] if request.for_staff and request.kind is ReportKind.JOURNEY else []),
            [[str(v) for v in row] for row in scorecards],
            [[str(v) for v in row] for row in referrals],
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def current_reports(candidate_id: int) -> list[tuple[ReportRequest, str, Report | None]]:
    """Every report a candidate has (one per released scorecard, and the journey), with its
    input key and its stored file when that is current, else None: three queries however
    many there are."""
    scorecards, referrals = _key_inputs(candidate_id)
    if not scorecards:
        return []
    requests = [ReportRequest(ReportKind.INTERVIEW, candidate_id, row[0]) for row in scorecards]
    requests.append(ReportRequest(ReportKind.JOURNEY, candidate_id))
    keys = {request: _hash(request, scorecards, referrals) for request in requests}
    stored = {
        report.input_hash: report
        for report in db.session.scalars(
            select(Report).where(Report.input_hash.in_(list(keys.values())))
        )
    }
    current = []
    for request in requests:
        report = stored.get(keys[request])
        if report is not None and not report_path(report).exists():
            report = None
        current.append((request, keys[request], report))
    return current


def cached_report(request: ReportRequest, key: str | None = None) -> Report | None:
    """The stored report for the current inputs, if its file is on disk."""
    key = key or input_key(request)
    report = db.session.scalar(select(Report).where(Report.input_hash == key))
    if report is not None and not report_path(report).exists():
        return None
    return report


def get_or_build(request: ReportRequest, key: str | None = None, *, force: bool = False) -> Report:
    """The stored report for these inputs, rendering and storing it first when needed (or
    always, with force)."""
    key = key or input_key(request)
    report = None if force else cached_report(request, key)
    if report is not None:
        return report
    data = build_data(request)
    return store(request, key, data, render_pdf(data))


def queue_render(request: ReportRequest, key: str, *, force: bool = False) -> None:
    """Ask a worker for this report (at most once while it is being made); without Redis it
    is rendered now."""
    jobs.enqueue_once("render_report", {**request.to_payload(), "force": force}, key)


def store(request: ReportRequest, key: str, data: ReportData, pdf: bytes) -> Report:
    """Write the PDF under a temporary name, rename it into place, then record it."""
    target = reports_dir() / key[:2] / f"{key}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name carries host and process, so a file left by a killed worker is
    # recognised and removed (remove_stale_temp_files); it is never served either way.
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=_temp_prefix(), suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    content_hash = hashlib.sha256(pdf).hexdigest()
    existing = db.session.scalar(select(Report).where(Report.input_hash == key))
    if existing is not None:  # rendered again on purpose (`flask reports build --all`)
        existing.content_hash, existing.size_bytes = content_hash, len(pdf)
        return existing
    report = Report(
        candidate_id=request.candidate_id,
        kind=request.kind,
        interview_id=_interview_id(request.feedback_id),
        input_hash=key,
        content_hash=content_hash,
        covers={
            "scorecards": [[s.feedback_id, s.revision] for s in data.scorecards],
            "referrals": len(data.referrals),
        },
        size_bytes=len(pdf),
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:  # another process stored the same inputs a moment ago
        report = db.session.scalar(select(Report).where(Report.input_hash == key))
    return report


TEMP_PREFIX = ".tmp-"


def _temp_prefix() -> str:
    return f"{TEMP_PREFIX}{socket.gethostname()}-{os.getpid()}-"


def remove_stale_temp_files(older_than: timedelta = jobs.STALE_AFTER) -> int:
    """Delete half-written report files: those of processes on this host that are gone, and
    any older than `older_than`. Returns how many were removed."""
    removed = 0
    cutoff = time.time() - older_than.total_seconds()
    for path in reports_dir().glob(f"*/{TEMP_PREFIX}*"):
        # ".tmp-<host>-<pid>-<random>.pdf"; mkstemp's random part has no "-".
        parts = path.name[len(TEMP_PREFIX) :].rsplit("-", 2)
        pid = parts[1] if len(parts) == 3 and parts[1].isdigit() else None
        alive = jobs.process_alive(parts[0], int(pid)) if pid else None
        try:
            if alive is False or path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _interview_id(feedback_id: int | None) -> int | None:
    if feedback_id is None:
        return None
    return db.session.scalar(select(Feedback.interview_id).where(Feedback.id == feedback_id))


def requests_for_candidate(candidate_id: int) -> list[ReportRequest]:
    """Every report a candidate has: one per released scorecard, and the journey."""
    feedback_ids = db.session.scalars(
        select(Feedback.id)
        .join(Feedback.interview)
        .where(Interview.candidate_id == candidate_id, Feedback.state == FeedbackState.RELEASED)
        .order_by(Feedback.id)
    ).all()
    if not feedback_ids:
        return []
    return [ReportRequest(ReportKind.INTERVIEW, candidate_id, fid) for fid in feedback_ids] + [
        ReportRequest(ReportKind.JOURNEY, candidate_id)
    ]


def all_requests() -> list[ReportRequest]:
    rows = db.session.execute(
        select(Interview.candidate_id, Feedback.id)
        .join(Feedback.interview)
        .join(Interview.candidate)
        .where(Feedback.state == FeedbackState.RELEASED, Candidate.erased_at.is_(None))
        .order_by(Interview.candidate_id, Feedback.id)
    ).all()
    requests: list[ReportRequest] = []
    seen: set[int] = set()
    for candidate_id, feedback_id in rows:
        requests.append(ReportRequest(ReportKind.INTERVIEW, candidate_id, feedback_id))
        if candidate_id not in seen:
            seen.add(candidate_id)
            requests.append(ReportRequest(ReportKind.JOURNEY, candidate_id))
    return requests


def is_stale(request: ReportRequest) -> bool:
    try:
        return cached_report(request) is None
    except ReportUnavailable:
        return False


def refresh_for_candidate(candidate_id: int) -> None:
    """Queue (or, without Redis, do) the rendering of every stale report of a candidate."""
    for request, key, report in current_reports(candidate_id):
        if report is None:
            queue_render(request, key)


@jobs.handler("render_report")
def render_report_job(payload: dict) -> None:
    try:
        get_or_build(ReportRequest.from_payload(payload), force=bool(payload.get("force")))
    except ReportUnavailable:
        return  # the feedback was withdrawn or the candidate erased since: nothing to render
