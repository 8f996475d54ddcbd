"""The admin board: filters, columns, bulk actions, metrics, CSV export, fixed query cost."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Referral, ReferralKind, ReferralStatus, utcnow
from portal.referrals.export import safe_cell
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.querycount import count_queries
from tests.referrals import factories as rf

S = ReferralStatus
K = ReferralKind


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def mixed(cast):
    """A handful of items in different states, people and companies."""
    cedar = rf.partner("Cedar Robotics")
    marco = rf.contact(cedar, "Marco Lindqvist", role_title="Engineering Manager")
    approved = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    proposed = rf.propose(cast, candidate=cast.other_candidate, contact=marco)
    proposed.proposed_by = cast.stranger
    proposed.owner = None
    lena = factories.candidate("Lena Fischer", "lena@example.com", with_account=True)
    hired = rf.at_status(cast, K.LEAD, S.HIRED, candidate=lena)
    overdue = rf.propose(cast, K.LEAD, lead_kind=rf.LeadKind.MARKET, market="Cold-chain")
    overdue.follow_up_on = utcnow().date() - timedelta(days=2)
    commit()
    return {"approved": approved, "proposed": proposed, "hired": hired, "overdue": overdue,
            "cedar": cedar}  # fmt: skip


def shown(html: str, items: dict) -> set[str]:
    return {name for name, r in items.items() if f'href="/referrals/{r.id}"' in html}


def test_the_list_filters_by_status_recruiter_company_owner_and_overdue(client, cast, mixed):
    items = {k: v for k, v in mixed.items() if k != "cedar"}
    sign_in(client, cast.admin.email)
    assert shown(client.get("/admin/referrals").text, items) == set(items)
    assert shown(client.get("/admin/referrals?status=approved").text, items) == {"approved"}
    assert shown(client.get("/admin/referrals?status=open").text, items) == {
        "approved", "proposed", "overdue",
    }  # fmt: skip
    assert shown(client.get(f"/admin/referrals?recruiter={cast.stranger.id}").text, items) == {
        "proposed"
    }
    assert shown(client.get(f"/admin/referrals?company={mixed['cedar'].id}").text, items) == {
        "proposed"
    }
    assert shown(client.get("/admin/referrals?owner=none").text, items) == {"proposed"}
    assert shown(client.get("/admin/referrals?overdue=y").text, items) == {"overdue"}
    assert shown(client.get("/admin/referrals?kind=lead").text, items) == {"hired", "overdue"}
    assert shown(client.get("/admin/referrals?q=lena").text, items) == {"hired"}
    page = client.get("/admin/referrals?overdue=y").text
    assert 'class="is-overdue"' in page and "Overdue" in page


@pytest.mark.parametrize(
    "query",
    ["status=promoted", "recruiter=abc", "recruiter=-1", "company=999999", "owner=%27;drop",
     "kind=x", "page=-4", "page=abc", "overdue=maybe"],
)  # fmt: skip
def test_bad_filter_values_are_explained_never_500(client, cast, mixed, query):
    sign_in(client, cast.admin.email)
    for path in ("/admin/referrals", "/admin/referrals/board", "/admin/referrals/metrics"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 200, path
    page = client.get(f"/admin/referrals?{query}")
    if not query.startswith(("page", "overdue")):
        assert "This filter was not applied." in page.text
    assert client.get(f"/admin/referrals/export.csv?{query}").status_code == 200


def test_the_board_groups_by_status_with_counts(client, cast, mixed):
    sign_in(client, cast.admin.email)
    page = client.get("/admin/referrals/board").text
    for status, n in [("proposed", 2), ("approved", 1), ("hired", 1), ("declined", 0)]:
        assert f'id="col-{status}">{status.capitalize()} <span class="count">{n}</span>' in page
    approved_col = page.split('id="col-approved"')[1].split("</section>")[0]
    assert "Maya Chen" in approved_col


def test_a_board_column_shows_its_newest_items_and_links_to_the_rest(client, cast):
    rf.bulk_referrals(cast, 9 * 22)  # 22 per status
    sign_in(client, cast.admin.email)
    page = client.get("/admin/referrals/board").text
    column = page.split('id="col-hired"')[1].split("</section>")[0]
    assert column.count('class="ref-card ') == 20
    assert "See all 22 hired" in column


def test_empty_states_say_what_to_do(client, cast):
    sign_in(client, cast.admin.email)
    assert "Recruiters propose them from a candidate's page" in client.get("/admin/referrals").text
    assert "nothing to measure" in client.get("/admin/referrals/metrics").text
    assert "Nothing matches these filters" in client.get("/admin/referrals?status=hired").text


# --- bulk actions -------------------------------------------------------------------------


def test_bulk_approve_reports_each_items_outcome(client, cast, mixed, outbox):
    sign_in(client, cast.admin.email)
    proposed, hired = mixed["proposed"], mixed["hired"]
    page = client.post(
        "/admin/referrals/bulk",
        data={
            "action": "approve",
            "selected": [f"{proposed.id}:{proposed.lock_version}", f"{hired.id}:{hired.lock_version}",
                         "999999:1", "garbage"],
        },
    )  # fmt: skip
    assert page.status_code == 200
    text = page.text
    assert "1 of 3 approved." in text
    assert text.count('pill-ok">Done') == 1 and text.count("Not changed") == 2
    assert "This lead is hired, which is final: it cannot become approved." in text
    assert "No referral or lead has this number." in text
    db.session.expire_all()
    assert db.session.get(Referral, proposed.id).status is S.APPROVED
    assert db.session.get(Referral, hired.id).status is S.HIRED
    assert outbox.last()["To"] == cast.other_candidate.email


def test_bulk_with_a_stale_item_changes_the_others(client, cast, mixed):
    sign_in(client, cast.admin.email)
    proposed, overdue = mixed["proposed"], mixed["overdue"]
    page = client.post(
        "/admin/referrals/bulk",
        data={"action": "approve",
              "selected": [f"{proposed.id}:{proposed.lock_version - 1}",
                           f"{overdue.id}:{overdue.lock_version}"]},
    )  # fmt: skip
    assert "someone else changed it after you loaded the list" in page.text
    db.session.expire_all()
    assert db.session.get(Referral, proposed.id).status is S.PROPOSED
    assert db.session.get(Referral, overdue.id).status is S.APPROVED


def test_bulk_expire_needs_a_confirmation_and_keeps_the_selection(client, cast, mixed):
    sign_in(client, cast.admin.email)
    approved = mixed["approved"]
    picked = f"{approved.id}:{approved.lock_version}"
    page = client.post("/admin/referrals/bulk", data={"action": "expire", "selected": picked})
    assert page.status_code == 400
    assert "Tick this box to confirm" in page.text
    assert f'value="{picked}" checked' in page.text
    assert db.session.get(Referral, approved.id).status is S.APPROVED
    page = client.post(
        "/admin/referrals/bulk",
        data={"action": "expire", "selected": picked, "confirm_expire": "y"},
    )
    assert "1 of 1 expired." in page.text
    db.session.expire_all()
    assert db.session.get(Referral, approved.id).status is S.EXPIRED


def test_bulk_without_items_or_action_is_explained(client, cast, mixed):
    sign_in(client, cast.admin.email)
    page = client.post("/admin/referrals/bulk", data={"action": "approve"})
    assert page.status_code == 400 and "Select at least one referral or lead." in page.text
    page = client.post("/admin/referrals/bulk", data={"action": "promote", "selected": "1:1"})
    assert page.status_code == 400 and "Not a valid choice" in page.text


# --- metrics ------------------------------------------------------------------------------


def test_metrics_count_stages_conversion_medians_and_recruiters(client, cast, mixed):
    hired = mixed["hired"]
    # Put known durations on the hired lead's history: 2 days proposed, 4 days approved.
    start = utcnow() - timedelta(days=20)
    for transition, days in zip(hired.transitions, [0, 2, 6, 8, 9], strict=True):
        transition.at = start + timedelta(days=days)
    commit()
    sign_in(client, cast.admin.email)
    page = client.get("/admin/referrals/metrics").text
    assert '<span class="stat-value">4</span>' in page  # total
    assert "25.0%" in page  # 1 of 4 hired
    assert "Median days in each stage" in page
    assert "Approved 4 days (1 stay)" in page
    assert "Proposed per recruiter" in page
    assert "Rita Recruiter 3" in page and "Sid Stranger 1" in page
    assert "<svg viewBox" in page and 'role="img"' in page
    filtered = client.get(f"/admin/referrals/metrics?recruiter={cast.stranger.id}").text
    assert '<span class="stat-value">1</span>' in filtered


# --- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), (None, ""), (12, "12")],
)  # fmt: skip
def test_csv_cells_that_a_spreadsheet_could_run_are_defused(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_escapes_dangerous_cells_and_follows_the_filters(client, cast, mixed):
    mixed["approved"].note_to_candidate = '=HYPERLINK("http://evil.example","click")'
    lena = db.session.get(Referral, mixed["hired"].id).candidate
    lena.name = '@Lena, "the" Fischer'
    mixed["proposed"].role_title = "-Engineer"
    commit()
    sign_in(client, cast.admin.email)
    response = client.get("/admin/referrals/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 4
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[mixed["approved"].id]["note to candidate"].startswith("'=HYPERLINK")
    assert by_id[mixed["hired"].id]["candidate"] == '\'@Lena, "the" Fischer'
    assert by_id[mixed["proposed"].id]["role"] == "'-Engineer"
    assert by_id[mixed["overdue"].id]["overdue"] == "yes"
    assert "PRIVATE-CONTACT-NOTE" not in response.get_data(as_text=True)
    only = read_csv(client.get("/admin/referrals/export.csv?status=approved"))
    assert [int(r["id"]) for r in only] == [mixed["approved"].id]
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "referrals_exported")
    )
    assert event.actor_id == cast.admin.id


# --- a fixed number of queries whatever the size ------------------------------------------


def _cost(client, url: str) -> int:
    client.get(url).get_data()  # the session is checked from its snapshot from now on
    with count_queries() as queries:
        response = client.get(url)
        response.get_data()  # a streamed body runs its queries while it is read
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/admin/referrals", "/admin/referrals/board", "/admin/referrals/export.csv",
     "/admin/referrals/metrics", "/admin/referrals?overdue=y&kind=referral"],
)  # fmt: skip
def test_board_pages_and_export_cost_the_same_queries_for_10_and_500(client, cast, url):
    sign_in(client, cast.admin.email)
    rf.bulk_referrals(cast, 10)
    small = _cost(client, url)
    _add(cast, 490)
    large = _cost(client, url)
    print(f"{url}: {small} queries with 10, {large} with 500")
    assert small == large
    assert small <= 8


def _add(cast, n: int) -> None:
    """More items, with distinct candidates (bulk_referrals numbers from zero)."""
    before = db.session.scalar(db.select(db.func.count(Referral.id)))
    rf.bulk_referrals(cast, n, start=before)
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == before + n
