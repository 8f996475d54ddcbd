"""The "Better off" page and its CSV: aggregates only, small groups hidden."""

from __future__ import annotations

from flask import Response, current_app, render_template, request, stream_with_context

from portal import audit
from portal.measure import bp, services
from portal.measure.forms import MeasureForm
from portal.models import Gain, utcnow
from portal.permissions import can_view_measure, me, require
from portal.spreadsheet import stream_rows


def _measure() -> tuple[MeasureForm, services.Measure]:
    require(can_view_measure(me()))
    form = MeasureForm(request.args)
    form.validate()
    now = utcnow()
    result = services.measure(
        form.period(now.date()),
        form.group_by(),
        minimum=current_app.config["MEASURE_MIN_GROUP"],
        now=now,
    )
    return form, result


@bp.route("/better-off")
def index():
    form, result = _measure()
    return render_template(
        "measure/index.html",
        form=form,
        measure=result,
        csv_args=form.query_args(result.period),
        gains=list(Gain),
    )


@bp.route("/better-off.csv")
def export_csv():
    form, result = _measure()
    args = form.query_args(result.period)
    audit.record("measure_exported", actor=me(), **args)
    name = f"better-off-by-{args['group']}-{args['date_from']}-to-{args['date_to']}.csv"
    return Response(
        stream_with_context(
            stream_rows(services.csv_header(result.group_by), services.csv_rows(result))
        ),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
