"""The import pages: upload → columns → preview → import (a job) → progress and report."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge

from portal import jobs
from portal.imports import bp, runner, services
from portal.imports.columns import columns_of
from portal.imports.forms import ConfirmForm, UploadForm, mapping_form
from portal.models import ImportRun, ImportStatus
from portal.paging import paginate
from portal.permissions import can_export, can_import, load, me, require
from portal.spreadsheet import stream_rows
from portal.unit_of_work import attempt

# Room for the multipart envelope around a file of IMPORT_MAX_BYTES, so that a file a little
# too large is answered with the form and a message rather than a bare 413 page.
ENVELOPE = 1024 * 1024


@bp.route("/imports", methods=["GET", "POST"])
def index():
    require(can_import(me()))
    request.max_content_length = 2 * services.max_bytes() + ENVELOPE
    try:
        form = UploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = UploadForm(formdata=None), False
        form.file.errors = [
            f"The file is larger than {services.size_label()}. Split it and import the parts "
            "one after another."
        ]
    if submitted:
        upload = form.file.data
        with attempt(form) as outcome:
            run = services.create_run(
                kind=form.kind.data,
                source=form.source.data,
                filename=upload.filename or "",
                data=upload.read(services.max_bytes() + 1),
                actor=me(),
            )
        if not outcome.refused:
            return redirect(url_for("imports.columns", run_id=run.id))
    page = paginate(select(ImportRun).order_by(ImportRun.id.desc()), per_page=20)
    return render_template(
        "imports/index.html",
        form=form,
        page=page,
        max_size=services.size_label(),
        can_export=can_export(me()),
        status=ImportStatus,
    )


@bp.route("/imports/<int:run_id>/columns", methods=["GET", "POST"])
def columns(run_id: int):
    run = load(ImportRun, run_id, can_import)
    if run.status is not ImportStatus.UPLOADED:
        return redirect(url_for("imports.detail", run_id=run.id))
    headers = services.headers_of(run)
    form = mapping_form(run.kind, headers, run.columns or {})
    if form.validate_on_submit():
        picked = {c.name: form[c.name].data for c in columns_of(run.kind)}
        with attempt(form) as outcome:
            services.choose_mapping(run, picked, actor=me())
        if not outcome.refused:
            return redirect(url_for("imports.preview", run_id=run.id))
    return render_template(
        "imports/columns.html", run=run, form=form, columns=columns_of(run.kind), headers=headers
    )


@bp.route("/imports/<int:run_id>/preview")
def preview(run_id: int):
    run = load(ImportRun, run_id, can_import)
    if run.status is not ImportStatus.UPLOADED or not run.columns:
        return redirect(url_for("imports.detail", run_id=run.id))
    return render_template(
        "imports/preview.html",
        run=run,
        preview=services.preview(run),
        form=ConfirmForm(),
        limit=services.PROBLEMS_SHOWN,
    )


@bp.route("/imports/<int:run_id>/start", methods=["POST"])
def start(run_id: int):
    run = load(ImportRun, run_id, can_import)
    form = ConfirmForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            runner.start_import(run, actor=me())
        if not outcome.refused and jobs.uses_queue():
            flash("The import is running; this page shows how far it has got.", "info")
    return redirect(url_for("imports.detail", run_id=run.id))


@bp.route("/imports/<int:run_id>/resume", methods=["POST"])
def resume(run_id: int):
    run = load(ImportRun, run_id, can_import)
    if ConfirmForm().validate_on_submit():
        with attempt():
            runner.resume_import(run, actor=me())
    return redirect(url_for("imports.detail", run_id=run.id))


@bp.route("/imports/<int:run_id>/discard", methods=["POST"])
def discard(run_id: int):
    run = load(ImportRun, run_id, can_import)
    if ConfirmForm().validate_on_submit():
        with attempt() as outcome:
            services.discard(run, actor=me())
        if not outcome.refused:
            flash("The uploaded file was deleted.", "success")
    return redirect(url_for("imports.index"))


@bp.route("/imports/<int:run_id>")
def detail(run_id: int):
    run = load(ImportRun, run_id, can_import, joinedload(ImportRun.created_by))
    return render_template(
        "imports/run.html",
        run=run,
        status=ImportStatus,
        form=ConfirmForm(),
        refresh=current_app.config.get("IMPORT_REFRESH_SECONDS", 3),
        stalled=runner.stalled_batch(run) is not None,
    )


@bp.route("/imports/<int:run_id>/progress.json")
def progress(run_id: int):
    run = load(ImportRun, run_id, can_import)
    return jsonify(
        status=run.status.value,
        total=run.total_rows,
        processed=run.processed_rows,
        created=run.created_count,
        updated=run.updated_count,
        unchanged=run.unchanged_count,
        refused=run.refused_count,
        error=run.last_error,
    )


@bp.route("/imports/<int:run_id>/refused.csv")
def refused_report(run_id: int):
    run = load(ImportRun, run_id, can_import)
    return Response(
        stream_with_context(stream_rows(services.REPORT_HEADER, services.report_rows(run))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{run.id}-refused.csv"'},
    )
