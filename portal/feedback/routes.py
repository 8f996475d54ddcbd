from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.feedback import bp, services
from portal.feedback.forms import ReleaseForm, ScorecardForm, form_data
from portal.feedback.screening import finding_key
from portal.models import Feedback, FeedbackState, Interview, Position
from portal.notifications import notify_feedback_released
from portal.permissions import can_edit_feedback, require
from portal.reports.store import refresh_for_candidate
from portal.rubric import RUBRIC


def load_feedback(feedback_id: int) -> Feedback:
    return db.first_or_404(
        select(Feedback)
        .where(Feedback.id == feedback_id)
        .options(
            joinedload(Feedback.interview).joinedload(Interview.candidate),
            joinedload(Feedback.interview)
            .joinedload(Interview.position)
            .joinedload(Position.company),
            joinedload(Feedback.author),
            selectinload(Feedback.ratings),
            selectinload(Feedback.revisions),
        )
    )


def me():
    return current_user._get_current_object()


@bp.route("/interviews/<int:interview_id>/scorecard", methods=["POST"])
def start(interview_id: int):
    interview = db.get_or_404(Interview, interview_id)
    try:
        feedback = services.start_feedback(interview, me())
    except services.FeedbackError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("interviews.detail", interview_id=interview.id))
    db.session.commit()
    return redirect(url_for("feedback.edit", feedback_id=feedback.id))


@bp.route("/feedback/<int:feedback_id>")
def detail(feedback_id: int):
    feedback = load_feedback(feedback_id)
    return render_template(
        "feedback/detail.html",
        feedback=feedback,
        rubric=RUBRIC,
        ratings={r.dimension: r for r in feedback.ratings},
        overall=services.overall_score(feedback),
        can_edit=can_edit_feedback(me(), feedback),
        problems=services.completeness_problems(feedback),
    )


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
def edit(feedback_id: int):
    feedback = load_feedback(feedback_id)
    require(can_edit_feedback(me(), feedback))
    form = ScorecardForm(data=None if request.method == "POST" else form_data(feedback))
    findings, conflict = [], None
    if form.validate_on_submit():
        try:
            new_revision = _save(feedback, form)
        except services.ConflictError as exc:
            conflict = exc.current
            form.lock_version.data = exc.current.lock_version
            flash(str(exc), "error")
        except services.UnacknowledgedFindings as exc:
            db.session.rollback()
            findings = exc.findings
            flash(str(exc), "warning")
        except services.IncompleteError as exc:
            saved = _keep_draft_or_rollback(feedback)
            # The next save is based on the stored version, not the posted one.
            form.lock_version.data = feedback.lock_version
            _show_problems(form, exc, saved=saved)
        except services.FeedbackError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if new_revision:
                _announce_release(feedback, amended=True)
            return redirect(_after_save(feedback, form, new_revision))
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    feedback = load_feedback(feedback_id)
    return render_template(
        "feedback/form.html",
        form=form,
        feedback=feedback,
        rubric=RUBRIC,
        overall=services.overall_score(feedback),
        findings=findings
        or (services.release_findings(feedback) if request.method == "GET" else []),
        finding_key=finding_key,
        conflict=conflict,
        acknowledged=form.acknowledge.data,
    )


def _save(feedback: Feedback, form: ScorecardForm) -> bool:
    """Save, submit or amend as the button says; True when a new revision was released."""
    actor, data = me(), form.to_input()
    expected = form.lock_version.expected
    if feedback.revision:
        revision = services.amend_feedback(
            feedback,
            data,
            actor=actor,
            expected_version=expected,
            reason=form.amendment_reason.data or "",
            acknowledged=form.acknowledge.data,
        )
        return revision is not None
    services.save_feedback(feedback, data, actor=actor, expected_version=expected)
    if form.submit.data:
        services.submit_feedback(feedback, actor=actor)
    return False


def _after_save(feedback: Feedback, form: ScorecardForm, new_revision: bool) -> str:
    if new_revision:
        flash(
            f"Amendment released as revision {feedback.revision}; the candidate was told.",
            "success",
        )
        return url_for("feedback.detail", feedback_id=feedback.id)
    if feedback.revision:
        flash("Private notes saved. The candidate's feedback did not change.", "success")
        return url_for("feedback.detail", feedback_id=feedback.id)
    if form.submit.data:
        flash("Scorecard submitted. Check the wording and release it when ready.", "success")
        return url_for("feedback.release", feedback_id=feedback.id)
    flash("Draft saved." if feedback.state is FeedbackState.DRAFT else "Changes saved.", "success")
    return url_for("feedback.edit", feedback_id=feedback.id)


def _keep_draft_or_rollback(feedback: Feedback) -> bool:
    """A draft that is not complete enough to submit is still saved (True); an amendment is
    not (False): released feedback changes only as a whole new revision."""
    if feedback.revision:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def _show_problems(form: ScorecardForm, exc: services.IncompleteError, *, saved: bool) -> None:
    for field, message in exc.problems.items():
        if field in form:
            form[field].errors = [*form[field].errors, message[0].upper() + message[1:] + "."]
    summary = "; ".join(dict.fromkeys(exc.problems.values()))
    if saved:
        message = f"Your changes are saved, but the scorecard cannot be submitted yet: {summary}."
    else:
        message = f"The amendment was not released: {summary}. What you typed is still here."
    flash(message, "error")


def _announce_release(feedback: Feedback, *, amended: bool) -> None:
    """After a release or an amendment is committed: tell the candidate and bring their
    reports up to date (queued with Redis), then commit that work too."""
    notify_feedback_released(feedback, amended=amended)
    refresh_for_candidate(feedback.interview.candidate_id)
    db.session.commit()


@bp.route("/feedback/<int:feedback_id>/release", methods=["GET", "POST"])
def release(feedback_id: int):
    feedback = load_feedback(feedback_id)
    require(can_edit_feedback(me(), feedback))
    form = ReleaseForm()
    if form.validate_on_submit():
        try:
            services.release_feedback(feedback, actor=me(), acknowledged=form.acknowledge.data)
        except services.FeedbackError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            feedback = load_feedback(feedback_id)
        else:
            db.session.commit()
            _announce_release(feedback, amended=False)
            flash(f"Feedback released to {feedback.interview.candidate.name}.", "success")
            return redirect(url_for("feedback.detail", feedback_id=feedback.id))
    return render_template(
        "feedback/release.html",
        form=form,
        feedback=feedback,
        findings=services.release_findings(feedback),
        finding_key=finding_key,
        texts=services.candidate_texts(feedback),
        problems=services.completeness_problems(feedback),
        acknowledged=form.acknowledge.data,
    )


@bp.route("/feedback/<int:feedback_id>/reopen", methods=["POST"])
def reopen(feedback_id: int):
    feedback = load_feedback(feedback_id)
    require(can_edit_feedback(me(), feedback))
    try:
        services.reopen_feedback(feedback, actor=me())
    except services.FeedbackError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("The scorecard is a draft again.", "success")
    return redirect(url_for("feedback.detail", feedback_id=feedback_id))
