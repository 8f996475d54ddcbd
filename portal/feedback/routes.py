"""Scorecard pages: start, read, edit (save, submit, amend), release, reopen.

Views load with a permission check, try the change inside `attempt` and redirect, or render
the form again with what was typed; the unit of work commits (portal/unit_of_work.py).
"""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from portal.answers import services as answers
from portal.feedback import bp, panel, services
from portal.feedback.forms import ReleaseForm, ScorecardForm, form_data, scorecard_form
from portal.feedback.vocabulary import template_labels
from portal.forms import id_arg
from portal.models import (
    Feedback,
    FeedbackKind,
    FeedbackRevision,
    FeedbackState,
    Interview,
    PanelMember,
    Position,
    TemplateVersion,
)
from portal.permissions import (
    can_edit_feedback,
    can_score,
    can_view_candidate_say,
    can_view_feedback,
    load,
    me,
)
from portal.release_check.screening import finding_key
from portal.rubric import RUBRIC
from portal.unit_of_work import Outcome, attempt

FEEDBACK_PAGE = (
    joinedload(Feedback.interview).joinedload(Interview.candidate),
    # Who sits on the panel and how far their scorecards are: the visibility rule reads it.
    joinedload(Feedback.interview).selectinload(Interview.panel).joinedload(PanelMember.user),
    joinedload(Feedback.interview)
    .selectinload(Interview.feedback)
    .load_only(Feedback.author_id, Feedback.kind, Feedback.state),
    joinedload(Feedback.interview).joinedload(Interview.position).joinedload(Position.company),
    joinedload(Feedback.author),
    selectinload(Feedback.ratings),
    selectinload(Feedback.skill_ratings),
    selectinload(Feedback.answers),
    joinedload(Feedback.template_version).joinedload(TemplateVersion.template),
    selectinload(Feedback.revisions).joinedload(FeedbackRevision.released_by),
)


def load_feedback(feedback_id: int, check=can_view_feedback) -> Feedback:
    return load(Feedback, feedback_id, check, *FEEDBACK_PAGE)


@bp.route("/interviews/<int:interview_id>/scorecard", methods=["POST"])
def start(interview_id: int):
    interview = load(Interview, interview_id, can_score, selectinload(Interview.panel))
    with attempt() as outcome:  # refused for an erased candidate, with the reason
        feedback = services.start_feedback(interview, me())
    if outcome.refused:
        return redirect(url_for("interviews.detail", interview_id=interview_id))
    return redirect(url_for("feedback.edit", feedback_id=feedback.id))


@bp.route("/feedback/<int:feedback_id>")
def detail(feedback_id: int):
    feedback = load_feedback(feedback_id)
    return render_template(
        "feedback/detail.html",
        feedback=feedback,
        rubric=RUBRIC,
        ratings={r.dimension: r for r in feedback.ratings},
        definition=services.scorecard_definition(feedback),
        skill_ratings={r.skill_key: r for r in feedback.skill_ratings},
        answers={a.question_key: a.text for a in feedback.answers},
        overall=services.overall_score(feedback),
        can_edit=can_edit_feedback(me(), feedback),
        problems=services.completeness_problems(feedback),
        in_panel=feedback.kind is FeedbackKind.MEMBER and panel.is_panel(feedback.interview),
        say=answers.staff_say(feedback)
        if feedback.revision and can_view_candidate_say(me(), feedback)
        else None,
    )


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
def edit(feedback_id: int):
    feedback = load_feedback(feedback_id, can_edit_feedback)
    form = scorecard_form(
        services.scorecard_definition(feedback),
        data=None if request.method == "POST" else form_data(feedback),
    )
    if request.method == "GET" and (thread_id := id_arg("thread")) is not None:
        form.resolves.data = [thread_id]  # the correction the recruiter came from
    outcome = Outcome()
    if form.validate_on_submit():
        revision_before = feedback.revision
        outcome = _save(feedback, form)
        if not outcome.refused:
            return redirect(_after_save(feedback, form, feedback.revision > revision_before))
        _explain(outcome, form, feedback)
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return _form_page(load_feedback(feedback_id, can_edit_feedback), form, outcome)


def _form_page(feedback: Feedback, form: ScorecardForm, outcome: Outcome):
    """The scorecard form as typed, with what the release check and the panel have to say."""
    findings = getattr(outcome.error, "findings", None)
    return render_template(
        "feedback/form.html",
        form=form,
        feedback=feedback,
        rubric=RUBRIC,
        definition=services.scorecard_definition(feedback),
        labels=template_labels(services.scorecard_definition(feedback)),
        overall=services.overall_score(feedback),
        findings=findings
        or (services.release_findings(feedback) if not form.is_submitted() else []),
        finding_key=finding_key,
        conflict=feedback if isinstance(outcome.error, services.ConflictError) else None,
        acknowledged=form.acknowledge.data,
        medians=_medians(feedback),
        corrections=answers.open_corrections(feedback) if feedback.revision else [],
    )


def _medians(feedback: Feedback) -> dict | None:
    """For the panel's feedback: each dimension's and role skill's panel ratings, by key."""
    if feedback.kind is not FeedbackKind.PANEL:
        return None
    summary = panel.debrief(feedback.interview)
    return {row.key: row for row in [*summary.dimensions, *summary.skills]}


def _save(feedback: Feedback, form: ScorecardForm) -> Outcome:
    """Save (or amend) as one attempt, then submit as another when asked: a draft too
    incomplete to submit is still saved; an incomplete amendment saves nothing."""
    actor, data, version = me(), form.to_input(), form.lock_version.expected
    with attempt(form, show=False) as saved:
        if feedback.revision:
            services.amend_feedback(
                feedback,
                data,
                actor=actor,
                expected_version=version,
                reason=form.amendment_reason.data or "",
                acknowledged=form.acknowledge.data,
                resolves=form.resolves.data,
            )
        else:
            services.save_feedback(feedback, data, actor=actor, expected_version=version)
    if saved.refused or feedback.revision or not form.submit.data:
        return saved
    with attempt(form, show=False) as submitted:
        services.submit_feedback(feedback, actor=actor)
    return submitted


def _explain(outcome: Outcome, form: ScorecardForm, feedback: Feedback) -> None:
    """Say why the save did not go through, next to the fields where it can be."""
    error = outcome.error
    # The next save is based on the version stored now, not the one that was posted.
    form.lock_version.data = feedback.lock_version
    if isinstance(error, services.IncompleteError):
        for field, message in error.problems.items():
            if field in form:
                form[field].errors = [*form[field].errors, message[0].upper() + message[1:] + "."]
        summary = "; ".join(dict.fromkeys(error.problems.values()))
        if feedback.revision:
            flash(
                f"The amendment was not released: {summary}. What you typed is still here.", "error"
            )
        else:
            flash(
                f"Your changes are saved, but the scorecard cannot be submitted yet: {summary}.",
                "error",
            )
    else:
        flash(str(error), error.category)


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
    if (
        form.submit.data
        and feedback.kind is FeedbackKind.MEMBER
        and panel.is_panel(feedback.interview)
    ):
        flash(
            "Scorecard submitted to the panel. The lead writes the candidate's feedback.", "success"
        )
        return url_for("interviews.detail", interview_id=feedback.interview_id)
    if form.submit.data:
        flash("Scorecard submitted. Check the wording and release it when ready.", "success")
        return url_for("feedback.release", feedback_id=feedback.id)
    flash("Draft saved." if feedback.state is FeedbackState.DRAFT else "Changes saved.", "success")
    return url_for("feedback.edit", feedback_id=feedback.id)


@bp.route("/feedback/<int:feedback_id>/release", methods=["GET", "POST"])
def release(feedback_id: int):
    feedback = load_feedback(feedback_id, can_edit_feedback)
    form = ReleaseForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            services.release_feedback(feedback, actor=me(), acknowledged=form.acknowledge.data)
        if not outcome.refused:
            flash(f"Feedback released to {feedback.interview.candidate.name}.", "success")
            return redirect(url_for("feedback.detail", feedback_id=feedback.id))
        feedback = load_feedback(feedback_id, can_edit_feedback)
    return render_template(
        "feedback/release.html",
        form=form,
        feedback=feedback,
        findings=services.release_findings(feedback),
        finding_key=finding_key,
        texts=services.candidate_texts(feedback),
        labels=template_labels(services.scorecard_definition(feedback)),
        problems=services.completeness_problems(feedback),
        acknowledged=form.acknowledge.data,
        notes=_calibration(feedback),
    )


def _calibration(feedback: Feedback) -> list:
    """Quiet notes for the lead: members scoring this candidate far from their usual."""
    if feedback.kind is not FeedbackKind.PANEL:
        return []
    return panel.calibration_notes(feedback.interview)


@bp.route("/feedback/<int:feedback_id>/reopen", methods=["POST"])
def reopen(feedback_id: int):
    feedback = load_feedback(feedback_id, can_edit_feedback)
    with attempt() as outcome:
        services.reopen_feedback(feedback, actor=me())
    if not outcome.refused:
        flash("The scorecard is a draft again.", "success")
    return redirect(url_for("feedback.detail", feedback_id=feedback_id))
