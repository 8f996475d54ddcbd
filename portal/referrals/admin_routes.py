"""The admin referral board: list, columns by status, metrics, CSV export and bulk actions."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, flash, render_template, request, stream_with_context, url_for
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import Referral, ReferralStatus, Role, utcnow
from portal.paging import paginate
from portal.permissions import allow, me
from portal.referrals import board, bp, export, ownership, services
from portal.referrals.forms import BoardFilterForm, BulkForm
from portal.referrals.pipeline import ConflictError
from portal.unit_of_work import attempt

BULK_TARGETS = {"approve": ReferralStatus.APPROVED, "expire": ReferralStatus.EXPIRED}
LIST_PAGE_SIZE = 50
BULK_LIMIT = 200
CONFLICT_IN_BULK = (
    "Not changed: someone else changed it after you loaded the list. Reload the list, check "
    "it and try again."
)


def filter_form() -> BoardFilterForm:
    form = BoardFilterForm(request.args)
    form.set_options(*board.filter_options())
    form.validate()
    return form


@bp.route("/admin/referrals")
@allow(Role.ADMIN)
def board_list():
    filters = filter_form()
    page = paginate(board.list_query(filters.to_filters()), per_page=LIST_PAGE_SIZE)
    return render_template(
        "referrals/board_list.html",
        filters=filters,
        page=page,
        bulk=BulkForm(formdata=None),
        is_overdue=ownership.is_overdue,
        tab="list",
    )


@bp.route("/admin/referrals/board")
@allow(Role.ADMIN)
def board_columns():
    filters = filter_form()
    return render_template(
        "referrals/board.html",
        filters=filters,
        columns=board.board_columns(filters.to_filters()),
        is_overdue=ownership.is_overdue,
        tab="board",
    )


@bp.route("/admin/referrals/metrics")
@allow(Role.ADMIN)
def metrics():
    filters = filter_form()
    return render_template(
        "referrals/metrics.html",
        filters=filters,
        metrics=board.metrics(filters.to_filters()),
        tab="metrics",
    )


@bp.route("/admin/referrals/export.csv")
@allow(Role.ADMIN)
def export_csv():
    filters = filter_form()
    audit.record("referrals_exported", actor=me(), filters=filters.query_args())
    name = f"referrals-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(export.stream_csv(export.rows(filters.to_filters()))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@dataclass(frozen=True)
class Outcome:
    referral_id: int | None
    label: str
    ok: bool
    message: str


@bp.route("/admin/referrals/bulk", methods=["POST"])
@allow(Role.ADMIN)
def bulk():
    """Approve or expire the ticked items; each one succeeds or fails on its own."""
    form = BulkForm()
    picked = form.selected.data
    problems = []
    if not picked:
        problems.append("Select at least one referral or lead.")
    if len(picked) > BULK_LIMIT:
        problems.append(f"Select at most {BULK_LIMIT} items at a time.")
    valid = form.validate_on_submit()
    if valid and form.action.data == "expire" and not form.confirm_expire.data:
        form.confirm_expire.errors = ["Tick this box to confirm: expired items close for good."]
        valid = False
    if problems or not valid:
        for message in problems:
            flash(message, "error")
        return _bulk_confirm(form, picked), 400
    target = BULK_TARGETS[form.action.data]
    outcomes = _apply(picked, target)
    done = sum(o.ok for o in outcomes)
    verb = "approved" if target is ReferralStatus.APPROVED else "expired"
    flash(f"{done} of {len(outcomes)} {verb}.", "success" if done == len(outcomes) else "warning")
    return render_template(
        "referrals/bulk_results.html", outcomes=outcomes, target=target, back=_back(form)
    )


def _bulk_confirm(form: BulkForm, picked: list[tuple[int, int | None]]):
    ids = [rid for rid, _ in picked][:BULK_LIMIT]
    items = db.session.scalars(
        board.with_display(select(Referral).where(Referral.id.in_(ids))).order_by(Referral.id)
    ).all()
    versions = dict(picked)
    return render_template(
        "referrals/bulk_confirm.html", form=form, items=items, versions=versions, back=_back(form)
    )


def _apply(picked: list[tuple[int, int | None]], target: ReferralStatus) -> list[Outcome]:
    """Each item in an attempt of its own, so one refusal or conflict spoils no other."""
    actor = me()
    ids = [rid for rid, _ in picked]
    found = {
        r.id: r
        for r in db.session.scalars(
            board.with_display(select(Referral).where(Referral.id.in_(ids)))
        )
    }
    labels = {rid: _label(r) for rid, r in found.items()}
    outcomes = []
    for rid, version in picked:
        referral = found.get(rid)
        if referral is None:
            outcomes.append(Outcome(None, f"#{rid}", False, "No referral or lead has this number."))
            continue
        with attempt(show=False) as tried:
            services.transition(referral, target, actor, expected_version=version)
        if isinstance(tried.error, ConflictError):
            outcomes.append(Outcome(rid, labels[rid], False, CONFLICT_IN_BULK))
        elif tried.refused:
            outcomes.append(Outcome(rid, labels[rid], False, str(tried.error)))
        else:
            outcomes.append(Outcome(rid, labels[rid], True, f"Now {target.value}."))
    return outcomes


def _label(referral: Referral) -> str:
    target = referral.company.name if referral.company else (referral.market or "a market")
    return f"#{referral.id} {referral.candidate.name} → {target}"


def _back(form: BulkForm) -> str:
    """Where the bulk form came from, if it is a board page; else the board."""
    back = form.back.data or ""
    if back.startswith("/admin/referrals") and not back.startswith("//"):
        return back
    return url_for("referrals.board_list")
