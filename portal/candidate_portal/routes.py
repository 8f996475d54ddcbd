from flask import Response, abort, render_template
from flask_login import current_user

from portal import audit
from portal.candidate_portal import bp, services
from portal.extensions import db
from portal.models import Stage
from portal.privacy.services import export_candidate
from portal.referrals.services import offers_for_candidate
from portal.reports.data import build_interview_report


def home():
    """The candidate's start page (served at / by main.home for the candidate role)."""
    candidate = services.candidate_for(current_user)
    if candidate is None:
        return render_template("candidate_portal/home.html", candidate=None)
    steps = services.journey(candidate)
    return render_template(
        "candidate_portal/home.html",
        candidate=candidate,
        steps=steps,
        stages=list(Stage),
        furthest=services.furthest_stage(steps),
        released=[f for s in steps for f in s.released],
        offers=offers_for_candidate(candidate.id),
    )


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
    db.session.commit()
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="betteroff-my-data.zip"'
    return response
