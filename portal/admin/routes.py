from datetime import datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit, jobs
from portal.admin import bp
from portal.admin.forms import (
    AuditFilterForm,
    EditUserForm,
    EraseCandidateForm,
    JobFilterForm,
    NewUserForm,
    UserFilterForm,
)
from portal.auth.services import AccountError, create_staff_user, update_user
from portal.extensions import db
from portal.models import AuditEvent, Candidate, Job, JobStatus, Role, User
from portal.paging import paginate
from portal.privacy import services as privacy
from portal.text import clean_name


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
        try:
            user = create_staff_user(
                form.name.data,
                form.email.data,
                form.role.data,
                form.password.data or None,
                actor=current_user._get_current_object(),
            )
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                actor=current_user._get_current_object(),
            )
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
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
    job = db.get_or_404(Job, job_id)
    if job.status is not JobStatus.FAILED:
        flash("Only failed jobs can be retried.", "error")
    else:
        jobs.retry(job)
        audit.record("job_retried", job)
        db.session.commit()
        flash(
            f"Job {job.id} was queued again."
            if jobs.uses_queue()
            else f"Job {job.id} ran again: {job.status.value}.",
            "success",
        )
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
    candidate = db.get_or_404(Candidate, candidate_id)
    if candidate.erased_at is not None:
        flash("This candidate's personal data was already erased.", "info")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    form = EraseCandidateForm()
    if form.validate_on_submit():
        if form.confirm_name.data != clean_name(candidate.name):
            form.confirm_name.errors.append(
                "That is not the candidate's name as recorded; nothing was erased."
            )
        else:
            summary = privacy.erase_candidate(candidate, actor=current_user._get_current_object())
            db.session.commit()
            flash(
                f"Erased candidate #{summary.candidate_id}: {summary.feedback} scorecard(s) and "
                f"{summary.referrals} referral(s) anonymised, "
                f"{summary.report_files} report file(s) and "
                f"{summary.outbox_files} email(s) deleted.",
                "success",
            )
            return redirect(url_for("candidates.index"))
    return render_template("admin/erase_candidate.html", form=form, candidate=candidate)
