from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.admin import bp
from portal.admin.forms import EditUserForm, NewUserForm
from portal.auth.services import AccountError, create_staff_user, update_user
from portal.extensions import db
from portal.models import Role, User


@bp.route("/users")
def users():
    role = request.args.get("role", "")
    query = select(User).order_by(User.role, User.name)
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, role=role, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_staff_user(
                form.name.data,
                form.email.data,
                Role(form.role.data),
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
    form = EditUserForm(obj=user, role=user.role.value)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                name=form.name.data,
                role=Role(form.role.data),
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
