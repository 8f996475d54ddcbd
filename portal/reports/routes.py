"""Report downloads for the candidate they belong to, and for the recruiting team."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, jsonify, render_template, send_file
from sqlalchemy.orm import joinedload

from portal import audit, jobs
from portal import cache as stamps
from portal.models import (
    Candidate,
    Feedback,
    FeedbackState,
    Interview,
    Report,
    ReportKind,
)
from portal.permissions import can_view_candidate, can_view_feedback, is_staff, load, me
from portal.reports.store import (
    ReportRequest,
    cached_report,
    get_or_build,
    input_key,
    queue_render,
    report_path,
)
from portal.reports.types import ReportUnavailable

bp = Blueprint("reports", __name__)


@dataclass(frozen=True)
class Delivery:
    """What sending a stored report takes, read once and kept under the candidate's stamps
    (portal/cache.py): a repeated download reads nothing but the user's session."""

    report_id: int
    kind: str
    path: str
    etag: str
    name: str
    candidate_id: int


@bp.route("/reports/feedback/<int:feedback_id>.pdf")
def interview_report(feedback_id: int):
    kept = stamps.recall("interview-report", feedback_id)
    if kept is not None:
        return _send(kept, hit=True)
    feedback = load(
        Feedback,
        feedback_id,
        can_view_feedback,
        joinedload(Feedback.interview).joinedload(Interview.candidate),
    )
    if feedback.state is not FeedbackState.RELEASED:
        return render_template("reports/unavailable.html", reason="not_released"), 404
    candidate = feedback.interview.candidate
    request = ReportRequest(ReportKind.INTERVIEW, candidate.id, feedback.id)
    label = f"{feedback.interview.stage.label} {feedback.interview.scheduled_at:%Y-%m-%d}"
    return _deliver(request, candidate, label, keep_as=("interview-report", feedback_id))


@bp.route("/reports/candidates/<int:candidate_id>/journey.pdf")
def journey_report(candidate_id: int):
    kept = stamps.recall("journey-report", candidate_id)
    if kept is not None:
        return _send(kept, hit=True)
    candidate = load(Candidate, candidate_id, can_view_candidate)
    request = ReportRequest(ReportKind.JOURNEY, candidate.id, for_staff=is_staff(me()))
    return _deliver(
        request, candidate, "selection journey", keep_as=("journey-report", candidate_id)
    )


def _deliver(
    request: ReportRequest, candidate: Candidate, label: str, keep_as: tuple[str, int]
) -> Response:
    try:
        key = input_key(request)
        report = cached_report(request, key)
        if report is None and jobs.uses_queue():
            # Never render in a web worker when a queue exists: ask a worker and come back.
            queue_render(request, key)
            return render_template("reports/preparing.html"), 202
        report = report or get_or_build(request, key)
    except ReportUnavailable:
        return render_template("reports/unavailable.html", reason="nothing_released"), 404
    delivery = _delivery(report, candidate, label)
    stamps.keep(keep_as[0], delivery)
    return _send(delivery)


def deliver_api(kind: ReportKind, candidate: Candidate, feedback: Feedback | None) -> Response:
    """The same report for an API client: the PDF, or 202 with Retry-After while a worker
    renders it, or a 404 problem when nothing was released yet."""
    request = ReportRequest(kind, candidate.id, feedback.id if feedback else None, for_staff=True)
    label = (
        f"{feedback.interview.stage.label} {feedback.interview.scheduled_at:%Y-%m-%d}"
        if feedback
        else "selection journey"
    )
    try:
        key = input_key(request)
        report = cached_report(request, key)
        if report is None and jobs.uses_queue():
            queue_render(request, key)
            response = jsonify(status="preparing", detail="The report is being prepared.")
            response.status_code = 202
            response.headers["Retry-After"] = "5"
            return response
        report = report or get_or_build(request, key)
    except ReportUnavailable:
        abort(404, description="No feedback was released to this candidate yet.")
    return _send(_delivery(report, candidate, label))


def _delivery(report: Report, candidate: Candidate, label: str) -> Delivery:
    return Delivery(
        report.id,
        report.kind.value,
        str(report_path(report)),
        report.content_hash,
        download_name(candidate.name, label),
        candidate.id,
    )


def _send(delivery: Delivery, *, hit: bool = False) -> Response:
    """The PDF, after one insert into the download log (the audit trail's
    `report_downloaded`, which the candidate's data export lists too)."""
    audit.record_now(
        "report_downloaded",
        "report",
        delivery.report_id,
        candidate_id=delivery.candidate_id,
        kind=delivery.kind,
    )
    response = send_file(
        delivery.path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=delivery.name,
        etag=delivery.etag,
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-BetterOff-Cache"] = "hit" if hit else "miss"
    return response


def download_name(name: str, label: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9 ._-]+", "", f"BetterOff feedback - {name} - {label}").strip()
    return f"{safe or 'BetterOff feedback'}.pdf"
