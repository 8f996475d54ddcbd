from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.companies import bp
from portal.companies.forms import (
    STAGES_WITH_TEMPLATES,
    CompanyForm,
    CompanySearchForm,
    PositionForm,
)
from portal.companies.services import save_company, save_position, templates_offered
from portal.models import Company, CompanyKind, Position, PositionStageTemplate
from portal.paging import paginate
from portal.permissions import can_manage_companies, can_manage_position, load, me
from portal.unit_of_work import attempt


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
    return _company_form(load(Company, company_id, can_manage_companies))


def _company_form(company: Company | None):
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            company = save_company(company, actor=me(), **form.data)
        if not outcome.refused:
            flash(f"{company.name} saved.", "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company)


@bp.route("/<int:company_id>")
def detail(company_id: int):
    company = load(
        Company,
        company_id,
        can_manage_companies,
        selectinload(Company.positions).joinedload(Position.template),
        selectinload(Company.positions)
        .selectinload(Position.stage_templates)
        .joinedload(PositionStageTemplate.template),
    )
    return render_template("companies/detail.html", company=company)


@bp.route("/<int:company_id>/positions/new", methods=["GET", "POST"])
def new_position(company_id: int):
    return _position_form(load(Company, company_id, can_manage_companies), None)


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
def edit_position(position_id: int):
    position = load(Position, position_id, can_manage_position)
    return _position_form(position.company, position)


def _position_form(company: Company, position: Position | None):
    prefill = {}
    if position is not None:
        prefill["template_id"] = position.template_id
        for row in position.stage_templates:
            prefill[f"template_{row.stage.value}"] = row.template_id
    form = PositionForm(obj=position, **prefill)
    form.set_templates(templates_offered(position))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            position = save_position(
                position,
                company,
                actor=me(),
                template_id=form.template_id.data,
                stage_templates={s: form.stage_field(s).data for s in STAGES_WITH_TEMPLATES},
                title=form.title.data,
                location=form.location.data,
                description=form.description.data,
                is_open=form.is_open.data,
            )
        if not outcome.refused:
            flash(f"{position.title} saved.", "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template(
        "companies/position_form.html",
        form=form,
        company=company,
        position=position,
        stages=STAGES_WITH_TEMPLATES,
    )
