"""Streamed CSV downloads, each audited; cells defused by `portal.spreadsheet`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from flask import Response, stream_with_context

from portal import audit
from portal.exports import bp, queries
from portal.models import utcnow
from portal.permissions import can_export, me, require
from portal.spreadsheet import stream_rows


def _download(
    what: str, header: Sequence[str], rows: Callable[[], Iterator[list[object]]]
) -> Response:
    require(can_export(me()))
    audit.record(f"{what}_exported", actor=me())
    name = f"{what}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(stream_rows(header, rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/candidates.csv")
def candidates():
    return _download("candidates", queries.CANDIDATE_HEADER, queries.candidate_rows)


@bp.route("/interviews.csv")
def interviews():
    return _download("interviews", queries.INTERVIEW_HEADER, queries.interview_rows)


@bp.route("/scorecards.csv")
def scorecards():
    return _download("scorecards", queries.SCORECARD_HEADER, queries.scorecard_rows)
