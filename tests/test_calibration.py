"""Calibration figures on known data, and the page admins read them on."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.admin.calibration import calibration
from portal.feedback import panel
from portal.models import Decision, Dimension
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in

START = datetime(2026, 11, 2, 10, 0)


def scored(author, all_scores: int, decision: Decision, hours: float, *, panel_of=()):
    interview = factories.interview(
        factories.candidate(email=f"c{factories._next()}@example.com"),
        author,
        when=START,
        panel=panel_of,
    )
    fb = factories.feedback(
        interview,
        author,
        "submitted",
        scores={d: all_scores for d in Dimension},
        decision=decision,
    )
    fb.submitted_at = START + timedelta(hours=hours)
    commit()
    return fb


def test_calibration_figures_on_known_data(app, recruiter, other_recruiter):
    scored(recruiter, 4, Decision.INVITE, 2)
    scored(recruiter, 2, Decision.DECLINE, 10)
    scored(other_recruiter, 5, Decision.HOLD, 30)
    # A panel's consolidated feedback is the lead's summary, not their own view: left out.
    trio = factories.interview(factories.candidate(email="p@example.com"), recruiter, when=START)
    trio.panel.append(factories.PanelMember(user=other_recruiter))
    factories.feedback(trio, recruiter, "submitted", scores={d: 3 for d in Dimension})
    factories.feedback(trio, other_recruiter, "submitted", scores={d: 3 for d in Dimension})
    voice = panel.start_panel_feedback(trio, recruiter)
    for rating in voice.ratings:
        rating.score = 1
    commit()

    figures = calibration()
    by_name = {f.user.name: f for f in figures.interviewers}
    rita, otto = by_name["Rita Recruiter"], by_name["Otto Other"]
    assert (rita.scorecards, otto.scorecards) == (3, 2)
    # Rita: 4s, 2s and 3s -> mean 3 per dimension; her ratings spread by sqrt(2/3).
    assert {m.mean for m in rita.means} == {3.0}
    assert rita.spread == 0.82
    # Otto: 5s and 3s -> mean 4.
    assert {m.mean for m in otto.means} == {4.0}
    # The team: (4 + 2 + 3 + 5 + 3) / 5 = 3.4 on every dimension, never the voice's 1s.
    assert set(figures.team.values()) == {3.4}
    assert {m.difference for m in rita.means} == {-0.4}
    assert rita.decisions == {Decision.INVITE: 67, Decision.HOLD: 0, Decision.DECLINE: 33}
    assert otto.decisions[Decision.HOLD] == 50
    assert rita.median_hours == 10.0  # 2, 10 and the panel scorecard's own delay
    assert otto.median_hours is not None


def test_admins_read_the_calibration_page_with_a_chart(app, admin, recruiter):
    scored(recruiter, 4, Decision.INVITE, 5)
    client = app.test_client()
    assert sign_in(client, admin.email).status_code == 302
    page = client.get("/admin/interviewers").get_data(as_text=True)
    assert "Rita Recruiter" in page and "<svg" in page and "Median hours to submit" in page
    assert "Calibration" in page
    rec = app.test_client()
    assert sign_in(rec, recruiter.email).status_code == 302
    assert rec.get("/admin/interviewers").status_code == 403
