"""The "Better off" measure: figures per recruiter, team and position, small groups hidden,
a fixed number of queries, a CSV safe to open; and the team an admin sets on a staff account."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import panel
from portal.feedback import services as feedback_services
from portal.measure.services import Hidden, Period, hidden_groups, percentile
from portal.models import (
    AuditEvent,
    CandidateAnswer,
    Decision,
    Feedback,
    FeedbackThread,
    Gain,
    GainAnswer,
    Referral,
    ReferralKind,
    ReferralStatus,
    ThreadKind,
    ThreadState,
    User,
    utcnow,
)
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.querycount import count_queries

HIDDEN_NOTE = "Fewer than 5 answers: hidden so no answer can be traced to a person."


# --- helpers ---------------------------------------------------------------------------------


def released(
    author: User,
    *,
    days_ago: float = 10,
    release_days: float = 2,
    position=None,
    decision: Decision = Decision.INVITE,
    candidate=None,
) -> Feedback:
    """Released feedback on an interview `days_ago`, first released `release_days` after it."""
    candidate = candidate or factories.candidate()
    interview = factories.interview(
        candidate, author, position_=position, when=utcnow() - timedelta(days=days_ago)
    )
    feedback = factories.feedback(interview, author, "released", decision=decision)
    feedback.released_at = interview.scheduled_at + timedelta(days=release_days)
    commit()
    return feedback


def answer(
    feedback: Feedback,
    *,
    yes: Iterable[Gain] = (),
    partly: Iterable[Gain] = (),
    usefulness: int = 4,
) -> CandidateAnswer:
    """The candidate's answer, written straight to the table (no other gain is a yes)."""
    said = {gain.value: GainAnswer.NO for gain in Gain}
    said.update({gain.value: GainAnswer.YES for gain in yes})
    said.update({gain.value: GainAnswer.PARTLY for gain in partly})
    row = CandidateAnswer(
        feedback_id=feedback.id,
        candidate_id=feedback.interview.candidate_id,
        usefulness=usefulness,
        **said,
    )
    db.session.add(row)
    commit()
    return row


def thread(feedback: Feedback, state: ThreadState, due: datetime | None = None) -> FeedbackThread:
    row = FeedbackThread(
        feedback_id=feedback.id,
        candidate_id=feedback.interview.candidate_id,
        kind=ThreadKind.QUESTION,
        state=state,
        waiting_since=utcnow() - timedelta(days=5) if state is ThreadState.OPEN else None,
        reply_due_at=due,
    )
    db.session.add(row)
    commit()
    return row


def referral(feedback: Feedback, status: ReferralStatus) -> Referral:
    row = Referral(
        candidate_id=feedback.interview.candidate_id,
        kind=ReferralKind.LEAD,
        status=status,
        market="Cold-chain logistics",
        note_to_candidate="You know this market well.",
        feedback_id=feedback.id,
        proposed_by_id=feedback.author_id,
    )
    db.session.add(row)
    commit()
    return row


def answered_group(author: User, n: int, **kwargs) -> list[Feedback]:
    """`n` released feedback of `author`, each answered (next interview: yes)."""
    items = []
    for _ in range(n):
        fb = released(author, **kwargs)
        answer(fb, yes=[Gain.NEXT_ROUND])
        items.append(fb)
    return items


def csv_table(response) -> dict[str, dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    first = reader.fieldnames[0]
    return {row[first]: row for row in reader}


def text_of(response) -> str:
    """The page's visible words, tags dropped and spaces collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_row(response, label: str) -> str:
    """The words of each <tr> whose header cell is `label`, joined (both tables of the page)."""
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    hits = [r for r in rows if re.search(rf"<th scope=\"row\"[^>]*>{re.escape(label)}</th>", r)]
    assert hits, f"no table row for {label!r}"
    return " | ".join(" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in hits)


@pytest.fixture
def staff_client(app, admin):
    client = app.test_client()
    sign_in(client, admin.email)
    return client


# --- suppression, the pure rule -------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "hidden"),
    [
        ({"a": 10, "b": 7}, {}),
        ({"a": 10, "b": 0}, {"b": Hidden.SMALL}),  # nothing to give away: no second group
        ({"a": 10, "b": 6, "c": 2}, {"c": Hidden.SMALL, "b": Hidden.COMPLEMENTARY}),
        ({"a": 3, "b": 2, "c": 9}, {"a": Hidden.SMALL, "b": Hidden.SMALL}),  # 5 together
        (
            {"a": 1, "b": 1, "c": 9, "d": 8},
            {"a": Hidden.SMALL, "b": Hidden.SMALL, "d": Hidden.COMPLEMENTARY},
        ),
        ({"a": 4}, {"a": Hidden.SMALL}),  # the total hides too (it is below the minimum)
        ({"a": 6, "b": 6, "c": 1}, {"a": Hidden.COMPLEMENTARY, "c": Hidden.SMALL}),  # tie: first
        ({}, {}),
    ],
)
def test_small_groups_and_the_next_smallest_are_hidden(answers, hidden):
    assert hidden_groups(answers, 5) == hidden


@given(
    answers=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), max_size=12),
    minimum=st.integers(2, 10),
)
def test_no_group_can_be_worked_out_from_the_total(answers, minimum):
    hidden = hidden_groups(answers, minimum)
    visible = {k: n for k, n in answers.items() if k not in hidden}
    held = sum(answers[k] for k in hidden)
    total = sum(answers.values())
    # Every group shown holds at least the minimum; every small one is hidden.
    assert all(n >= minimum for n in visible.values())
    assert all(k in hidden for k, n in answers.items() if n < minimum)
    # The total minus what is shown is 0 answers or at least the minimum, unless the total
    # itself is below the minimum (then it is hidden, and so is every group).
    assert held == 0 or held >= minimum or (total < minimum and not visible)
    # Only as much is hidden as needed: one complementary group at most, and a smallest one.
    extra = [k for k, why in hidden.items() if why is Hidden.COMPLEMENTARY]
    assert len(extra) <= 1
    assert all(answers[k] <= min(visible.values(), default=answers[k]) for k in extra)


@pytest.mark.parametrize(
    "values", [[1.0], [1.0, 2.0], [3.0, 1.0, 2.0], [1, 2, 3, 4, 10], list(range(37))]
)
def test_median_and_90th_percentile_are_the_usual_ones(values):
    assert percentile(values, 0.5) == statistics.median(values)
    if len(values) > 1:
        expected = statistics.quantiles(values, n=10, method="inclusive")[8]
        assert percentile(values, 0.9) == pytest.approx(expected)
    assert percentile([], 0.9) is None


# --- the page and the CSV ----------------------------------------------------------------------


def test_figures_on_a_known_set(app, staff_client, recruiter, other_recruiter):
    """Five answers, a sixth feedback unanswered, two declines (one with a visible lead),
    three threads (one waiting past its due date, one replied, one resolved)."""
    days = [1, 2, 3, 4, 10]
    useful = [5, 4, 4, 3, 5]
    fbs = [
        released(recruiter, release_days=d, decision=Decision.DECLINE if i < 2 else Decision.INVITE)
        for i, d in enumerate(days)
    ]
    answer(fbs[0], yes=[Gain.NEXT_ROUND, Gain.SKILLS], usefulness=useful[0])
    answer(fbs[1], yes=[Gain.NEXT_ROUND], partly=[Gain.INSIGHT], usefulness=useful[1])
    answer(fbs[2], yes=[Gain.NEXT_ROUND], usefulness=useful[2])
    answer(fbs[3], partly=[Gain.NEXT_ROUND, Gain.REFERRAL], usefulness=useful[3])
    answer(fbs[4], yes=[Gain.INSIGHT], usefulness=useful[4])
    released(recruiter, release_days=3)  # not answered
    referral(fbs[0], ReferralStatus.APPROVED)  # shown to the candidate
    referral(fbs[1], ReferralStatus.PROPOSED)  # not yet: does not count
    thread(fbs[0], ThreadState.OPEN, due=utcnow() - timedelta(hours=1))
    thread(fbs[1], ThreadState.REPLIED)
    thread(fbs[2], ThreadState.RESOLVED)
    commit()

    rows = csv_table(staff_client.get("/better-off.csv"))
    assert set(rows) == {"Rita Recruiter", "All"}
    rita = rows["Rita Recruiter"]
    assert (rita["released feedback"], rita["answers"], rita["response rate %"]) == (
        "6",
        "5",
        "83.3",
    )
    assert rita["A next interview: yes %"] == "60.0"
    assert rita["A next interview: partly %"] == "20.0"
    assert rita["A referral or lead: yes %"] == "0.0"
    assert rita["A referral or lead: partly %"] == "20.0"
    assert rita["Better interview skills: yes %"] == "20.0"
    assert rita["Company insight: yes %"] == "20.0"
    assert rita["Company insight: partly %"] == "20.0"
    assert rita["mean usefulness (1-5)"] == "4.2"
    # Six releases after 1, 2, 3, 3, 4 and 10 days: median 3, 90th percentile 7.
    assert rita["median days to release"] == "3.0"
    assert rita["90th percentile days to release"] == "7.0"
    assert (rita["declined"], rita["declined with a referral or lead"]) == ("2", "1")
    assert rita["declined with a referral or lead %"] == "50.0"
    assert (rita["open threads"], rita["overdue threads"]) == ("2", "1")
    assert rita["hidden"] == ""
    assert rows["All"]["answers"] == "5"

    page = staff_client.get("/better-off")
    assert page.status_code == 200
    row = table_row(page, "Rita Recruiter")
    assert "60% yes 20% partly" in row and "4.2" in row and "5 of 6 (83%)" in row
    assert "3.0 7.0 50% (1 of 2)" in row
    words = text_of(page)
    assert "aggregates only" in words
    assert "Better interview skills: the share of answers saying yes" in words  # chart title
    assert "Rita Recruiter: 60% yes, 20% partly" in words  # its text alternative


def test_small_groups_are_hidden_and_so_is_the_next_smallest(
    app, staff_client, recruiter, other_recruiter
):
    small = factories.user(name="Sam Small")
    answered_group(recruiter, 6)  # Rita: 6 answers, the smallest group of 5 or more
    answered_group(other_recruiter, 7)  # Otto: 7
    answered_group(small, 2)  # Sam: 2, below the minimum
    released(small)  # unanswered: released count still shown

    page = staff_client.get("/better-off")
    assert HIDDEN_NOTE in table_row(page, "Sam Small")
    assert "2 of 3 (67%)" in table_row(page, "Sam Small")  # released and response rate shown
    rita = table_row(page, "Rita Recruiter")
    assert "Hidden with a smaller group" in rita and "% yes" not in rita
    assert "100% yes" in table_row(page, "Otto Other")
    assert "100% yes" in table_row(page, "All")
    assert "Sam Small: " + HIDDEN_NOTE in text_of(page)  # the chart says hidden, not 0%

    rows = csv_table(staff_client.get("/better-off.csv"))
    assert rows["Sam Small"]["hidden"] == "fewer than 5 answers"
    assert rows["Rita Recruiter"]["hidden"] == "hidden with a smaller group"
    for name in ("Sam Small", "Rita Recruiter"):
        assert rows[name]["A next interview: yes %"] == ""
        assert rows[name]["mean usefulness (1-5)"] == ""
        assert rows[name]["median days to release"] == "2.0"  # not an answer: shown
    assert rows["Otto Other"]["A next interview: yes %"] == "100.0"
    assert rows["All"]["hidden"] == "" and rows["All"]["answers"] == "15"


def test_a_total_below_the_minimum_is_hidden_too(app, staff_client, recruiter):
    answered_group(recruiter, 4)
    rows = csv_table(staff_client.get("/better-off.csv"))
    assert rows["All"]["hidden"] == "fewer than 5 answers"
    assert (
        rows["All"]["A next interview: yes %"] == "" and rows["All"]["response rate %"] == "100.0"
    )
    assert "hidden" in text_of(staff_client.get("/better-off"))


def test_the_minimum_group_follows_the_setting(make_app):
    app = make_app(MEASURE_MIN_GROUP=3)
    with app.test_request_context():
        admin = factories.user(role="admin", email="admin@example.com")
        answered_group(admin, 3)
        client = app.test_client()
        sign_in(client, admin.email)
        rows = csv_table(client.get("/better-off.csv"))
    assert rows["All"]["hidden"] == "" and rows["All"]["A next interview: yes %"] == "100.0"


def test_erased_candidates_are_left_out(app, staff_client, recruiter):
    answered_group(recruiter, 5)
    gone = released(recruiter)
    gone.interview.candidate.erased_at = utcnow()
    commit()
    rows = csv_table(staff_client.get("/better-off.csv"))
    assert rows["All"]["released feedback"] == "5"


def test_only_released_feedback_in_the_period_counts(app, staff_client, recruiter):
    answered_group(recruiter, 5, days_ago=10)
    old = released(recruiter, days_ago=200)
    answer(old, partly=[Gain.NEXT_ROUND])
    draft_interview = factories.interview(factories.candidate(), recruiter)
    factories.feedback(draft_interview, recruiter, "submitted")

    default = csv_table(staff_client.get("/better-off.csv"))
    assert default["All"]["released feedback"] == "5"  # the last 90 days

    start = (utcnow() - timedelta(days=365)).date().isoformat()
    year = csv_table(staff_client.get(f"/better-off.csv?date_from={start}"))
    assert year["All"]["released feedback"] == "6"
    assert year["All"]["A next interview: partly %"] == "16.7"

    end = (utcnow() - timedelta(days=100)).date().isoformat()
    only_old = staff_client.get(f"/better-off?date_from={start}&date_to={end}")
    assert "released feedback" in text_of(only_old)
    assert table_row(only_old, "All").startswith("All 1 of 1 (100%)")


def test_grouped_by_team_and_by_position(app, staff_client, recruiter, other_recruiter):
    recruiter.team = "Engineering hiring"
    commit()
    analyst = factories.position("Data Analyst", factories.company("Northwind"))
    answered_group(recruiter, 5, position=analyst)
    answered_group(other_recruiter, 5)  # no team
    shouting = factories.user(name="Tess Third")
    shouting.team = "ENGINEERING HIRING"
    commit()
    released(shouting)

    teams = csv_table(staff_client.get("/better-off.csv?group=team"))
    assert set(teams) == {"Engineering hiring", "No team", "All"}  # one team, however typed
    assert teams["Engineering hiring"]["released feedback"] == "6"
    page = staff_client.get("/better-off?group=team")
    assert "by team" in text_of(page) and "No team" in table_row(page, "No team")

    positions = csv_table(staff_client.get("/better-off.csv?group=position"))
    assert positions["Data Analyst — Northwind"]["released feedback"] == "5"
    assert len(positions) == 8  # six other positions (one each), and All

    people = csv_table(staff_client.get("/better-off.csv?group=recruiter"))
    assert set(people) == {"Rita Recruiter", "Otto Other", "Tess Third", "All"}


def test_a_panels_feedback_counts_once_for_its_lead(app, staff_client, recruiter, other_recruiter):
    interview = factories.interview(factories.candidate(), recruiter, panel=[other_recruiter])
    factories.feedback(interview, recruiter, "submitted")
    factories.feedback(interview, other_recruiter, "submitted")
    voice = panel.start_panel_feedback(interview, recruiter)
    commit()
    feedback_services.submit_feedback(voice, actor=recruiter)
    feedback_services.release_feedback(voice, actor=recruiter, acknowledged=set())
    commit()
    answer(voice, yes=[Gain.INSIGHT])
    rows = csv_table(staff_client.get("/better-off.csv"))
    assert set(rows) == {"Rita Recruiter", "All"}  # the members' own scorecards are not released
    assert rows["Rita Recruiter"]["released feedback"] == "1"
    assert rows["Rita Recruiter"]["answers"] == "1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-03-01&date_to=2026-01-01", "The end date is before the start date"),
        ("date_from=99999-01-01", "Enter a date like 2026-12-31."),
        ("date_to=tomorrow", "Enter a date like 2026-12-31."),
        ("date_from=1000-01-01", "Enter a date between 1900 and 2199"),
        ("group=<script>alert(1)</script>", "Not a valid choice. Shown by recruiter instead."),
        ("group=team&group=x&date_from=%00", "Enter a date like 2026-12-31."),
    ],
)
def test_wrong_values_get_a_message_and_the_page_still_renders(
    app, staff_client, recruiter, query, message
):
    answered_group(recruiter, 5)
    page = staff_client.get(f"/better-off?{query}")
    assert page.status_code == 200
    assert message in text_of(page)
    assert "<script>alert" not in page.get_data(as_text=True)
    assert staff_client.get(f"/better-off.csv?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["date_from=" + "9" * 5000, "date_from=2026-02-30", "group=" + "x" * 10_000, "date_to=0000-00-00",
     "date_from=2199-12-31", "date_from=1900-01-01&date_to=2199-12-31", "group=", "date_from="],
)  # fmt: skip
def test_hostile_query_strings_never_fail(app, staff_client, recruiter, query):
    answered_group(recruiter, 1)
    assert staff_client.get(f"/better-off?{query}").status_code == 200
    assert staff_client.get(f"/better-off.csv?{query}").status_code == 200


def test_candidates_and_visitors_are_refused(app, client, recruiter):
    maya = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    answer(released(recruiter, candidate=maya), yes=[Gain.SKILLS])
    assert client.get("/better-off").status_code in (302, 401)
    sign_in(client, "maya@example.com")
    assert client.get("/better-off").status_code == 403
    assert client.get("/better-off.csv").status_code == 403


def test_recruiters_see_the_page_in_their_menu(app, client, recruiter):
    sign_in(client, recruiter.email)
    page = client.get("/better-off")
    assert page.status_code == 200
    assert 'href="/better-off" aria-current="page">Better off</a>' in page.get_data(as_text=True)
    assert "No feedback was released" in text_of(page)


def test_the_page_costs_the_same_queries_at_any_size(app, staff_client, recruiter, other_recruiter):
    def build(n: int) -> None:
        for i in range(n):
            author = recruiter if i % 2 else other_recruiter
            fb = released(author, decision=Decision.DECLINE if i % 3 else Decision.INVITE)
            answer(fb, yes=[Gain.REFERRAL])
            referral(fb, ReferralStatus.INTRODUCED)
            thread(fb, ThreadState.OPEN, due=utcnow() - timedelta(days=1))

    counts = {}
    build(3)
    staff_client.get("/")  # the session is checked from its snapshot from now on
    for size in (3, 30):
        if size == 30:
            build(27)
        for group in ("recruiter", "team", "position"):
            with count_queries() as statements:
                page = staff_client.get(f"/better-off?group={group}")
            assert page.status_code == 200
            counts[(size, group)] = len(statements)
    assert counts[(3, "recruiter")] == counts[(30, "recruiter")]
    assert counts[(3, "position")] == counts[(30, "position")]
    assert len(set(counts.values())) == 1, counts
    # The rows and the threads, and the session's check: its user's version stamp, which on
    # SQLite is read outside SQLAlchemy's pool (portal/cache.py) and so not counted here.
    session_check = 0 if db.engine.dialect.name == "sqlite" else 1
    assert counts[(30, "recruiter")] == 2 + session_check, counts
    assert table_row(page, "All").startswith("All 30 of 30 (100%)")


def test_csv_cells_are_defused_and_the_export_audited(app, staff_client, recruiter):
    recruiter.team = "=cmd()"
    commit()
    answered_group(recruiter, 5)
    response = staff_client.get("/better-off.csv?group=team")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "better-off-by-team-" in response.headers["Content-Disposition"]
    rows = csv_table(response)
    assert "'=cmd()" in rows and "=cmd()" not in rows
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "measure_exported" in actions


def test_the_period_defaults_to_the_last_90_days():
    period = Period.ending(date(2026, 3, 31))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period.until == datetime(2026, 4, 1)


# --- the team on a staff account -----------------------------------------------------------


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    sign_in(client, admin.email)
    return client


def test_admins_set_a_team_and_the_list_shows_it(app, admin_client, outbox):
    response = admin_client.post(
        "/admin/users/new",
        data={"name": "Tess Team", "email": "tess@example.com", "role": "recruiter",
              "team": "  Engineering   hiring "},
    )  # fmt: skip
    assert response.status_code == 302
    tess = db.session.scalars(select(User).where(User.email == "tess@example.com")).one()
    assert tess.team == "Engineering hiring"
    listing = admin_client.get("/admin/users")
    assert '<td data-label="Team">Engineering hiring</td>' in listing.get_data(as_text=True)

    edit = admin_client.get(f"/admin/users/{tess.id}")
    assert 'value="Engineering hiring"' in edit.get_data(as_text=True)
    saved = admin_client.post(
        f"/admin/users/{tess.id}",
        data={"name": "Tess Team", "role": "recruiter", "active": "y", "team": "Data hiring"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, tess.id).team == "Data hiring"
    cleared = admin_client.post(
        f"/admin/users/{tess.id}",
        data={"name": "Tess Team", "role": "recruiter", "active": "y", "team": "  "},
    )
    assert cleared.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, tess.id).team is None


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ("Engineering\x00 hiring", "control or invisible characters"),
        ("Eng\u202ehiring", "control or invisible characters"),
        ("\u200b", "control or invisible characters"),
        ('<script>alert("x")</script>', "no &lt; or &gt; (no markup)"),
        ("<b>Bold</b>", "no &lt; or &gt; (no markup)"),
        ("x" * 81, "Keep the team to 80 characters or fewer (it is 81 now)."),
        ("x" * 100_000, "Keep the team to 80 characters or fewer"),
    ],
)
def test_hostile_teams_are_refused_with_the_form_back(app, admin_client, recruiter, team, message):
    edit = admin_client.post(
        f"/admin/users/{recruiter.id}",
        data={"name": "Rita Renamed", "role": "recruiter", "active": "y", "team": team},
    )
    html = edit.get_data(as_text=True)
    assert edit.status_code == 200 and message in html
    assert 'value="Rita Renamed"' in html  # what was typed is still there
    assert "<script>alert" not in html and "<b>Bold" not in html
    db.session.expire_all()
    assert db.session.get(User, recruiter.id).team is None
    assert db.session.get(User, recruiter.id).name == "Rita Recruiter"

    new = admin_client.post(
        "/admin/users/new",
        data={"name": "Nel New", "email": "nel@example.com", "role": "recruiter", "team": team},
    )
    assert new.status_code == 200 and message in new.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.email == "nel@example.com")).first() is None
