from datetime import datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import jobs, release_check
from portal.admin import bp
from portal.admin.calibration import calibration
from portal.admin.forms import (
    AuditFilterForm,
    EditUserForm,
    EraseCandidateForm,
    JobFilterForm,
    NewUserForm,
    ReleaseCheckForm,
    UserFilterForm,
)
from portal.auth.services import create_staff_user, update_user
from portal.forms import choices
from portal.models import AuditEvent, Candidate, Job, JobStatus, Role, User
from portal.paging import paginate
from portal.permissions import (
    can_manage_release_check,
    can_manage_users,
    can_view_candidate,
    is_erased,
    load,
    me,
    require,
)
from portal.privacy import services as privacy
from portal.unit_of_work import attempt


@bp.route("/users")
def users():
    filters = UserFilterForm(request.args)
    role = filters.role.data if filters.validate() else None
    query = select(User).order_by(User.role, User.name)
    if role is not None:
        query = query.where(User.role == role)
    page = paginate(query, per_page=50)
    return render_template(
        "admin/users.html", page=page, role=role.value if role else "", roles=list(Role)
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = create_staff_user(
                form.name.data,
                form.email.data,
                form.role.data,
                form.password.data or None,
                actor=me(),
                team=form.team.data,
            )
        if not outcome.refused:
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = load(User, user_id, can_manage_users)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                actor=me(),
                team=form.team.data if user.is_staff else None,  # candidates are in no team
            )
        if not outcome.refused:
            flash("Changes saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/edit_user.html", form=form, user=user)


@bp.route("/jobs")
def job_list():
    filters = JobFilterForm(request.args)
    status = filters.status.data if filters.validate() else None
    query = select(Job).order_by(Job.id.desc())
    if status is not None:
        query = query.where(Job.status == status)
    page = paginate(query, per_page=50)
    return render_template(
        "admin/jobs.html",
        page=page,
        status=status.value if status else "",
        statuses=list(JobStatus),
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
def retry_job(job_id: int):
    job = load(Job, job_id, can_manage_users)
    with attempt() as outcome:
        jobs.retry(job)
    if not outcome.refused:
        flash(f"Job {job.id} is queued again; this list shows how it went.", "success")
    return redirect(url_for("admin.job_list"))


@bp.route("/audit")
def audit_log():
    filters = AuditFilterForm(request.args)
    filters.validate()
    query = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    ok = {name: not field.errors and field.data for name, field in filters._fields.items()}
    if ok["action"]:
        query = query.where(AuditEvent.action.ilike(f"%{filters.action.data.strip()}%"))
    if ok["actor"]:
        query = query.join(AuditEvent.actor).where(
            User.email.ilike(f"%{filters.actor.data.strip()}%")
        )
    if ok["object_type"]:
        query = query.where(AuditEvent.object_type == filters.object_type.data.strip().lower())
    if ok["object_id"]:
        query = query.where(AuditEvent.object_id == filters.object_id.data)
    if ok["date_from"]:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from.data, time.min))
    if ok["date_to"]:
        query = query.where(
            AuditEvent.at < datetime.combine(filters.date_to.data + timedelta(days=1), time.min)
        )
    page = paginate(query, per_page=50)
    return render_template("admin/audit.html", page=page, filters=filters)


@bp.route("/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
def erase_candidate(candidate_id: int):
    candidate = load(Candidate, candidate_id, can_view_candidate)
    if is_erased(candidate):
        flash("This candidate's personal data was already erased.", "info")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    form = EraseCandidateForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            summary = privacy.erase_candidate(
                candidate, actor=me(), confirmed_name=form.confirm_name.data
            )
        if not outcome.refused:
            flash(summary.message(), "success")
            return redirect(url_for("candidates.index"))
    return render_template("admin/erase_candidate.html", form=form, candidate=candidate)


@bp.route("/interviewers")
def interviewers():
    """Calibration: how each interviewer scores, against the team (admins only)."""
    return render_template("admin/interviewers.html", figures=calibration())


@bp.route("/release-check", methods=["GET", "POST"])
def release_check_packs():
    require(can_manage_release_check(me()))
    packs = release_check.choosable_packs()
    form = ReleaseCheckForm()
    form.packs.choices = choices((p.id, p.name) for p in packs)
    if not form.is_submitted():
        form.packs.data = list(release_check.chosen_packs())
    if form.validate_on_submit():
        with attempt(form) as outcome:
            chosen = release_check.choose_packs(form.packs.data, actor=me())
        if not outcome.refused:
            names = [p.name for p in packs if p.id in chosen]
            flash(f"The release check now applies: {', '.join(names)}.", "success")
            return redirect(url_for("admin.release_check_packs"))
    return render_template(
        "admin/release_check.html",
        form=form,
        packs=packs,
        always=[p for p in release_check.all_packs() if p.always],
        grounds=release_check.ground_labels(),
    )
