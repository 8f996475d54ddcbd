from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.companies import bp
from portal.companies.forms import CompanyForm, CompanySearchForm, PositionForm
from portal.companies.services import CompanyError, save_company, save_position
from portal.extensions import db
from portal.models import Company, CompanyKind, Position
from portal.paging import paginate
from portal.rubric import RUBRIC


@bp.route("/")
def index():
    search = CompanySearchForm(request.args)
    search.validate()
    q = (search.q.data or "") if not search.q.errors else ""
    kind = search.kind.data if not search.kind.errors else None
    query = (
        select(Company).order_by(func.lower(Company.name)).options(selectinload(Company.positions))
    )
    if q:
        like = f"%{q}%"
        query = query.where(
            or_(Company.name.ilike(like), Company.positions.any(Position.title.ilike(like)))
        )
    if kind is not None:
        query = query.where(Company.kind == kind)
    page = paginate(query, per_page=25)
    return render_template(
        "companies/index.html",
        page=page,
        q=q,
        kind=kind.value if kind else "",
        kinds=list(CompanyKind),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _company_form(None)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int):
    return _company_form(db.get_or_404(Company, company_id))


def _company_form(company: Company | None):
    form = CompanyForm(obj=company, kind=company.kind.value if company else None)
    if form.validate_on_submit():
        try:
            company = save_company(company, actor=current_user._get_current_object(), **form.data)
        except CompanyError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{company.name} saved.", "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company)


@bp.route("/<int:company_id>")
def detail(company_id: int):
    company = db.first_or_404(
        select(Company).where(Company.id == company_id).options(selectinload(Company.positions))
    )
    return render_template("companies/detail.html", company=company, rubric=RUBRIC)


@bp.route("/<int:company_id>/positions/new", methods=["GET", "POST"])
def new_position(company_id: int):
    return _position_form(db.get_or_404(Company, company_id), None)


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
def edit_position(position_id: int):
    position = db.get_or_404(Position, position_id)
    return _position_form(position.company, position)


def _position_form(company: Company, position: Position | None):
    prefill = {}
    if position is not None:
        prefill = {
            f"weight_{g.dimension.value}": position.rubric_weights.get(g.dimension.value, 1)
            for g in RUBRIC
        }
    form = PositionForm(obj=position, **prefill)
    if form.validate_on_submit():
        weights = {g.dimension.value: form[f"weight_{g.dimension.value}"].data for g in RUBRIC}
        try:
            position = save_position(
                position,
                company,
                actor=current_user._get_current_object(),
                weights=weights,
                title=form.title.data,
                location=form.location.data,
                description=form.description.data,
                is_open=form.is_open.data,
            )
        except CompanyError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{position.title} saved.", "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template(
        "companies/position_form.html", form=form, company=company, position=position, rubric=RUBRIC
    )
