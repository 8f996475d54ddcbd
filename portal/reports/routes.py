"""Report downloads for the candidate they belong to, and for the recruiting team."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, jsonify, render_template, send_file
from sqlalchemy.orm import joinedload

from portal import audit, jobs
from portal.extensions import db
from portal.models import (
    Candidate,
    Feedback,
    FeedbackState,
    Interview,
    Report,
    ReportDownload,
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


@bp.route("/reports/feedback/<int:feedback_id>.pdf")
def interview_report(feedback_id: int):
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
    return _deliver(request, candidate, label)


@bp.route("/reports/candidates/<int:candidate_id>/journey.pdf")
def journey_report(candidate_id: int):
    candidate = load(Candidate, candidate_id, can_view_candidate)
    request = ReportRequest(ReportKind.JOURNEY, candidate.id, for_staff=is_staff(me()))
    return _deliver(request, candidate, "selection journey")


def _deliver(request: ReportRequest, candidate: Candidate, label: str) -> Response:
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
    return _send(report, candidate, label)


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
    return _send(report, candidate, label)


def _send(report: Report, candidate: Candidate, label: str) -> Response:
    # The unit of work commits after this returns; the response is built from what is read
    # here, so nothing is loaded again after the commit.
    path, etag = report_path(report), report.content_hash
    name = download_name(candidate.name, label)
    db.session.add(
        ReportDownload(report_id=report.id, user_id=me().id, origin=audit.origin_address())
    )
    audit.record("report_downloaded", report, candidate_id=candidate.id, kind=report.kind.value)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
        etag=etag,
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def download_name(name: str, label: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9 ._-]+", "", f"BetterOff feedback - {name} - {label}").strip()
    return f"{safe or 'BetterOff feedback'}.pdf"
