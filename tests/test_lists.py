"""Recruiting lists: search, filters, sorting, pagination, and a fixed query cost."""

from datetime import datetime

import pytest

from portal.extensions import db
from portal.models import Candidate, Interview, InterviewFormat, Position, Stage
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.querycount import count_queries


@pytest.fixture
def people(app, recruiter, other_recruiter):
    northwind = factories.company("Northwind Analytics")
    harbor = factories.company("Harbor Health")
    analyst = factories.position("Data Analyst", northwind)
    pm = factories.position("Product Manager", harbor)
    maya = factories.candidate("Maya Chen", "maya@example.com")
    jonas = factories.candidate("Jonas Weber", "jonas@example.com")
    lena = factories.candidate("Lena Fischer", "lena@example.com")
    factories.interview(maya, recruiter, Stage.FIRST, analyst, datetime(2026, 10, 1, 10))
    second = factories.interview(maya, recruiter, Stage.SECOND, analyst, datetime(2026, 10, 20, 10))
    factories.interview(jonas, other_recruiter, Stage.FIRST, pm, datetime(2026, 11, 5, 9))
    factories.feedback(second, recruiter, "released")
    return {"maya": maya, "jonas": jonas, "lena": lena}


def names(html: str, candidates) -> list[str]:
    return [c.name for c in candidates if c.name in html]


def test_candidate_search_by_name_email_company_and_position(client, recruiter, people):
    sign_in(client, recruiter.email)
    all_ = people.values()
    assert names(client.get("/candidates/?q=maya").text, all_) == ["Maya Chen"]
    assert names(client.get("/candidates/?q=jonas@example").text, all_) == ["Jonas Weber"]
    assert names(client.get("/candidates/?q=harbor").text, all_) == ["Jonas Weber"]
    assert names(client.get("/candidates/?q=Data+Analyst").text, all_) == ["Maya Chen"]
    assert "No candidate matches these filters" in client.get("/candidates/?q=zzz").text
    # Wildcards in the search are taken literally.
    assert "No candidate matches" in client.get("/candidates/?q=%25").text


def test_candidate_filters_stage_state_recruiter_dates(client, recruiter, other_recruiter, people):
    sign_in(client, recruiter.email)
    all_ = people.values()
    assert names(client.get("/candidates/?stage=second").text, all_) == ["Maya Chen"]
    assert names(client.get("/candidates/?state=released").text, all_) == ["Maya Chen"]
    assert names(client.get("/candidates/?state=none").text, all_) == ["Maya Chen", "Jonas Weber"]
    assert names(client.get(f"/candidates/?recruiter={other_recruiter.id}").text, all_) == [
        "Jonas Weber"
    ]
    assert names(client.get("/candidates/?date_from=2026-11-01&date_to=2026-11-30").text, all_) == [
        "Jonas Weber"
    ]


def test_bad_filter_values_are_explained_not_500(client, recruiter, people):
    sign_in(client, recruiter.email)
    response = client.get("/candidates/?date_from=yesterday&stage=ninth&recruiter=abc&sort=evil")
    assert response.status_code == 200
    assert "Enter a date like 2026-12-31. This filter was not applied." in response.text
    assert "Maya Chen" in response.text  # the broken filters are left out, the list still shows
    assert client.get("/interviews/?date_to=2026-13-45").status_code == 200
    assert client.get("/candidates/?page=-3").status_code == 200


def test_candidate_sorting(client, recruiter, people):
    sign_in(client, recruiter.email)
    by_name = client.get("/candidates/").text
    assert by_name.index("Jonas Weber") < by_name.index("Lena Fischer") < by_name.index("Maya Chen")
    recent = client.get("/candidates/?sort=recent").text
    assert recent.index("Jonas Weber") < recent.index("Maya Chen") < recent.index("Lena Fischer")


def test_interview_list_filters_and_sorting(client, recruiter, people):
    sign_in(client, recruiter.email)
    page = client.get("/interviews/?q=maya&sort=date").text
    assert page.count(">Maya Chen</a></td>") == 2 and "Jonas Weber" not in page
    assert page.index("1 Oct 2026") < page.index("20 Oct 2026")
    released = client.get("/interviews/?state=released").text
    assert "20 Oct 2026" in released and "1 Oct 2026" not in released


def test_candidate_page_shows_the_selection_journey(client, recruiter, people):
    sign_in(client, recruiter.email)
    page = client.get(f"/candidates/{people['maya'].id}").text
    assert page.index("First interview") < page.index("Second interview")
    assert 'aria-current="step"' in page and "Released" in page


def make_candidates(n: int, recruiter) -> None:
    company = factories.company()
    position = Position(title="Analyst", company=company)
    db.session.add(position)
    for i in range(n):
        c = Candidate(name=f"Bulk {i:04d}", email=f"bulk{i}@example.com")
        db.session.add(c)
        db.session.add(
            Interview(
                candidate=c,
                position=position,
                interviewer=recruiter,
                stage=Stage.FIRST,
                format=InterviewFormat.VIDEO,
                scheduled_at=datetime(2026, 9, 1),
            )
        )
    commit()


@pytest.mark.parametrize(
    "url", ["/candidates/", "/interviews/", "/candidates/?q=bulk&stage=first", "/companies/", "/"]
)
def test_list_pages_cost_a_fixed_number_of_queries(make_app, url):
    costs = []
    for n in (10, 200):
        app = make_app()
        with app.app_context():
            rec = factories.user(role="recruiter", email=f"r{n}@example.com")
            make_candidates(n, rec)
            client = app.test_client()
            sign_in(client, f"r{n}@example.com")
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            costs.append(len(statements))
            factories.empty_database()
    assert costs[0] == costs[1], f"{url}: {costs[0]} queries with 10 rows, {costs[1]} with 200"


def add_candidates(n: int) -> None:
    db.session.execute(
        Candidate.__table__.insert(),
        [{"name": f"Paged Person {i:04d}", "email": f"paged{i:04d}@example.com"} for i in range(n)],
    )
    commit()


def test_pager_counts_pages_and_moves_between_them(client, recruiter):
    add_candidates(30)
    sign_in(client, recruiter.email)
    first = client.get("/candidates/").text
    assert "Page 1 of 2 · 30 in all" in first
    assert "Paged Person 0024" in first and "Paged Person 0025" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/candidates/?page=2").text
    assert "Page 2 of 2 · 30 in all" in second
    assert "Paged Person 0025" in second and "Paged Person 0029" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A page number that is not a page shows the first page, not an error.
    for bad in ("abc", "0", "-3", "99999999999"):
        page = client.get(f"/candidates/?page={bad}")
        assert page.status_code == 200 and "Paged Person 0000" in page.text


def test_pager_stops_counting_at_the_cap_and_still_pages_on(client, recruiter):
    add_candidates(520)
    sign_in(client, recruiter.email)
    first = client.get("/candidates/").text
    assert "Page 1 · more than 500 in all" in first and 'rel="next"' in first
    last = client.get("/candidates/?page=21").text  # rows 501-520: past the counted rows
    assert "Paged Person 0500" in last and "Paged Person 0519" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # Searching narrows the list back to an exact count.
    narrowed = client.get("/candidates/?q=Paged+Person+04").text
    assert "Page 1 of 4 · 100 in all" in narrowed


def test_a_search_matching_thousands_pages_like_any_other(client, recruiter, people):
    add_candidates(2100)  # more matches than a search lists by id: it walks the name order
    sign_in(client, recruiter.email)
    first = client.get("/candidates/?q=paged").text
    assert "Page 1 · more than 500 in all" in first
    assert "Paged Person 0000" in first and "Paged Person 0024" in first
    assert "Maya Chen" not in first
    later = client.get("/candidates/?q=paged&page=84").text  # rows 2076-2100
    assert "Paged Person 2075" in later and "Paged Person 2099" in later
    assert 'rel="next"' not in later
    # The same page of a narrow search still finds the people who match by position.
    assert names(client.get("/candidates/?q=harbor").text, people.values()) == ["Jonas Weber"]


def test_the_deepest_page_offers_no_next_page(client, recruiter, monkeypatch):
    monkeypatch.setattr("portal.paging.MAX_PAGE", 2)  # 1,000 pages in production
    add_candidates(60)
    sign_in(client, recruiter.email)
    deepest = client.get("/candidates/?page=2").text
    assert "Paged Person 0025" in deepest and 'rel="next"' not in deepest
    beyond = client.get("/candidates/?page=3").text  # typed by hand: back to the first page
    assert "Paged Person 0000" in beyond
