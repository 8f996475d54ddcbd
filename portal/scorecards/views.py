"""The template library's pages: list, read (with its version history), create, edit (a new
version), archive. Views load with a permission check and leave the rules to the service."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.forms import id_arg
from portal.models import (
    Company,
    Feedback,
    Position,
    PositionStageTemplate,
    Role,
    ScorecardTemplate,
    TemplateVersion,
)
from portal.permissions import (
    can_archive_template,
    can_edit_template,
    can_view_templates,
    load,
    me,
    require,
    role_gate,
)
from portal.release_check.screening import finding_key
from portal.rubric import RUBRIC
from portal.scorecards import services
from portal.scorecards.definition import ENGAGEMENT_ONLY
from portal.scorecards.forms import QUESTION_ROWS, SKILL_ROWS, ArchiveForm, TemplateForm
from portal.unit_of_work import Outcome, attempt

bp = Blueprint("scorecards", __name__, url_prefix="/scorecard-templates")
bp.before_request(role_gate(Role.ADMIN, Role.RECRUITER))

WITH_VERSIONS = selectinload(ScorecardTemplate.versions)


@bp.route("/")
def index():
    require(can_view_templates(me()))
    templates = db.session.scalars(
        select(ScorecardTemplate)
        .options(WITH_VERSIONS)
        .order_by(ScorecardTemplate.archived, func.lower(ScorecardTemplate.name))
    ).all()
    uses = dict(
        db.session.execute(
            select(Position.template_id, func.count()).group_by(Position.template_id)
        ).all()
    )
    return render_template(
        "scorecards/index.html", templates=templates, uses=uses, archive_form=ArchiveForm()
    )


@bp.route("/<int:template_id>")
def detail(template_id: int):
    template = load(ScorecardTemplate, template_id, can_view_templates, WITH_VERSIONS)
    number = id_arg("version")
    version = template.current
    if number is not None:
        version = next((v for v in template.versions if v.number == number), None)
        if version is None:
            abort(404)
    by_stage = select(PositionStageTemplate.position_id).where(
        PositionStageTemplate.template_id == template.id
    )
    positions = db.session.scalars(
        select(Position)
        .join(Position.company)
        .where((Position.template_id == template.id) | Position.id.in_(by_stage))
        .order_by(func.lower(Company.name), func.lower(Position.title))
        .options(selectinload(Position.company))
    ).all()
    scored = dict(
        db.session.execute(
            select(Feedback.template_version_id, func.count())
            .join(TemplateVersion, TemplateVersion.id == Feedback.template_version_id)
            .where(TemplateVersion.template_id == template.id)
            .group_by(Feedback.template_version_id)
        ).all()
    )
    return render_template(
        "scorecards/detail.html",
        template=template,
        version=version,
        definition=version.spec,
        positions=positions,
        scored=scored,
        rubric=RUBRIC,
        archive_form=ArchiveForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_edit_template(me()))
    source_id = id_arg("from")
    prefill = TemplateForm.prefill("", None, ENGAGEMENT_ONLY)
    if source_id is not None:
        source = load(ScorecardTemplate, source_id, can_view_templates, WITH_VERSIONS)
        prefill = TemplateForm.prefill(
            f"{source.name} (copy)", source.description, source.current.spec
        )
        for n in SKILL_ROWS:  # a copy starts its own keys from the names
            prefill.pop(f"skill_{n}_key", None)
        for n in QUESTION_ROWS:
            prefill.pop(f"question_{n}_key", None)
    return _form(None, prefill)


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
def edit(template_id: int):
    template = load(ScorecardTemplate, template_id, can_edit_template, WITH_VERSIONS)
    return _form(
        template, TemplateForm.prefill(template.name, template.description, template.current.spec)
    )


def _form(template: ScorecardTemplate | None, prefill: dict):
    form = TemplateForm(data=None if request.method == "POST" else prefill)
    outcome = Outcome()
    if form.is_submitted():
        valid = form.validate()
        definition = form.definition()  # read even when invalid: every problem shows at once
        if not valid or definition is None:
            flash("Some answers need your attention; nothing you typed was lost.", "error")
        else:
            before = template.current.number if template else 0
            with attempt(form) as outcome:
                template = services.save_template(
                    template,
                    definition,
                    actor=me(),
                    name=form.name.data or "",
                    description=form.description.data,
                    note=form.note.data,
                    acknowledged=form.acknowledge.data,
                )
            if not outcome.refused:
                number = template.current.number
                if number == before:
                    flash(f"{template.name} saved; what it scores did not change.", "success")
                elif before:
                    flash(
                        f"{template.name} saved as version {number}. Scorecards already started "
                        "keep the version they began with.",
                        "success",
                    )
                else:
                    flash(f"{template.name} created. Pick it for a position to use it.", "success")
                return redirect(url_for("scorecards.detail", template_id=template.id))
    findings = getattr(outcome.error, "findings", None)
    return render_template(
        "scorecards/form.html",
        form=form,
        template=template,
        findings=findings or [],
        finding_key=finding_key,
        finding_labels={f.field: form.field_label(f.field) for f in findings or []},
        finding_anchors={f.field: form.field_name(f.field) for f in findings or []},
        acknowledged=form.acknowledge.data or [],
        rubric=RUBRIC,
        skill_rows=SKILL_ROWS,
        question_rows=QUESTION_ROWS,
    )


@bp.route("/<int:template_id>/archive", methods=["POST"])
def archive(template_id: int):
    template = load(ScorecardTemplate, template_id, can_archive_template)
    form = ArchiveForm()
    if form.validate_on_submit():
        restoring = template.archived
        with attempt() as outcome:
            services.set_archived(template, not restoring, actor=me())
        if not outcome.refused:
            flash(
                f"{template.name} is {'back in' if restoring else 'archived from'} the library.",
                "success",
            )
    return redirect(url_for("scorecards.detail", template_id=template_id))
