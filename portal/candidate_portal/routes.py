from flask import Response, abort, render_template
from flask_login import current_user

from portal import audit, calendar
from portal.candidate_portal import bp, services
from portal.privacy.services import export_candidate
from portal.reports.queries import build_interview_report


@bp.route("/my/feedback/<int:feedback_id>")
def feedback(feedback_id: int):
    found = services.released_feedback_for(current_user, feedback_id)
    if found is None:
        abort(404)  # not released, or not theirs: the same answer either way
    return render_template(
        "candidate_portal/feedback.html", feedback=found, report=build_interview_report(found.id)
    )


@bp.route("/my/data-export")
def data_export():
    """Everything held about the signed-in candidate, as one zip."""
    candidate = services.candidate_for(current_user)
    if candidate is None:
        abort(404)
    archive = export_candidate(candidate)
    audit.record("data_exported", candidate)
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="betteroff-my-data.zip"'
    return response


@bp.route("/my/feedback/<int:feedback_id>/next-step.ics")
def next_step_calendar(feedback_id: int):
    """The next step as a calendar invitation, the same file the release email carried."""
    found = services.released_feedback_for(current_user, feedback_id)
    data = calendar.invitation(found) if found is not None else None
    if data is None:
        abort(404)  # not theirs, not released, or no dated next step
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{calendar.FILENAME}"'
    return response
