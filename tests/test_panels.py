"""Panel interviews: independent scores, the debrief, one voice to the candidate."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import panel, services
from portal.feedback.content import candidate_content
from portal.models import (
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackState,
    PanelMember,
    Rating,
)
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_form, scorecard_input, sign_in


@pytest.fixture
def third(app):
    return factories.user(role="recruiter", email="rec3@example.com", name="Tess Third")


@pytest.fixture
def trio(app, recruiter, other_recruiter, third):
    """Rita leads; Otto and Tess sit beside her. Nobody has scored yet."""
    candidate = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    return factories.interview(candidate, recruiter, panel=[other_recruiter, third])


def score(interview, author, presence: int, state: str = "submitted", **texts) -> Feedback:
    scores = {d: 4 for d in Dimension} | {Dimension.PRESENCE: presence}
    fb = services.start_feedback(interview, author)
    services.save_feedback(
        fb,
        scorecard_input(scores=scores, private_notes=f"NOTE-OF-{author.id}", **texts),
        actor=author,
        expected_version=fb.lock_version,
    )
    if state == "submitted":
        services.submit_feedback(fb, actor=author)
    commit()
    return fb


def edit_interview(client, interview, lead, panel_ids, location="Room 2"):
    """Post the interview form as a browser would, with this lead and panel."""
    return client.post(
        f"/interviews/{interview.id}/edit",
        data={
            "candidate_id": interview.candidate_id,
            "position_id": interview.position_id,
            "interviewer_id": lead.id,
            "panel_ids": panel_ids,
            "stage": "first",
            "format": "video",
            "scheduled_at": "2026-11-20T10:00",
            "location": location,
        },
    )


def as_user(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


# --- who sits on it ----------------------------------------------------------------------------


def test_the_interview_form_sets_the_panel_and_the_lead(app, recruiter, other_recruiter, third):
    candidate = factories.candidate("Maya Chen", "maya@example.com")
    position = factories.position()
    client = as_user(app, recruiter)
    response = client.post(
        "/interviews/new",
        data={
            "candidate_id": candidate.id,
            "position_id": position.id,
            "interviewer_id": other_recruiter.id,
            "panel_ids": [recruiter.id, third.id],
            "stage": "first",
            "format": "video",
            "scheduled_at": "2026-11-20T10:00",
            "duration_minutes": "90",
        },
    )
    assert response.status_code == 302
    interview = db.session.scalar(select(factories.Interview))
    assert interview.interviewer_id == other_recruiter.id  # the lead sits on it too
    assert set(panel.member_ids(interview)) == {recruiter.id, other_recruiter.id, third.id}
    assert interview.duration_minutes == 90
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Otto Other" in page and "Lead" in page and "Tess Third" in page


def test_a_panel_has_at_most_five_active_staff(app, trio, recruiter, admin):
    people = [factories.user(email=f"p{i}@example.com", name=f"P {i}") for i in range(5)]
    with pytest.raises(panel.PanelError, match="at most 5"):
        panel.set_panel(trio, people, lead=recruiter, actor=admin)
    candidate_user = trio.candidate.user
    with pytest.raises(panel.PanelError, match="only active recruiters and admins"):
        panel.set_panel(trio, [candidate_user], lead=recruiter, actor=admin)


def test_the_form_shows_a_refused_panel_with_what_was_typed(app, trio, recruiter):
    people = [factories.user(email=f"p{i}@example.com", name=f"P {i}") for i in range(5)]
    client = as_user(app, recruiter)
    response = edit_interview(
        client, trio, recruiter, [p.id for p in people], location="Room TYPED-42"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A panel has at most 5 interviewers" in page and "Room TYPED-42" in page
    db.session.expire_all()
    assert len(trio.panel) == 3  # unchanged


def test_a_member_who_submitted_stays_and_the_panel_is_fixed_once_released(
    app, trio, recruiter, other_recruiter, third, admin
):
    score(trio, other_recruiter, 3)
    with pytest.raises(panel.PanelError, match="Otto Other has submitted"):
        panel.set_panel(trio, [third], lead=recruiter, actor=admin)
    panel.set_panel(trio, [other_recruiter], lead=recruiter, actor=admin)  # Tess had not scored
    assert set(panel.member_ids(trio)) == {recruiter.id, other_recruiter.id}
    score(trio, recruiter, 4)
    voice = panel.start_panel_feedback(trio, recruiter)
    services.submit_feedback(voice, actor=recruiter)
    services.release_feedback(voice, actor=recruiter, acknowledged=set())
    commit()
    with pytest.raises(panel.PanelError, match="fixed once feedback is released"):
        panel.set_panel(trio, [other_recruiter, third], lead=recruiter, actor=admin)


def test_only_members_write_scorecards(app, trio, admin):
    with pytest.raises(services.FeedbackError, match="panel"):
        services.start_feedback(trio, admin)
    assert as_user(app, admin).post(f"/interviews/{trio.id}/scorecard").status_code == 403


# --- independent scores ------------------------------------------------------------------------


def test_a_member_cannot_read_the_others_until_theirs_is_submitted(
    app, trio, recruiter, other_recruiter, third, admin
):
    otto = score(trio, other_recruiter, 2, strengths="OTTO-SAW-THIS clearly.")
    tess = as_user(app, third)
    assert tess.get(f"/feedback/{otto.id}").status_code == 403
    page = tess.get(f"/interviews/{trio.id}").get_data(as_text=True)
    assert "Otto Other" in page and "Submitted" in page  # who has submitted: yes
    assert f"/feedback/{otto.id}" not in page and "Hidden until your scorecard" in page
    assert tess.get(f"/interviews/{trio.id}/debrief").status_code == 403

    mine = score(trio, third, 4, state="draft")
    assert tess.get(f"/feedback/{otto.id}").status_code == 403  # a draft is not enough
    services.submit_feedback(mine, actor=third)
    commit()
    assert "OTTO-SAW-THIS" in tess.get(f"/feedback/{otto.id}").get_data(as_text=True)
    # Admins, and staff who are not on the panel, read it at any time.
    outsider = factories.user(email="outside@example.com", name="Out Sider")
    for person in (admin, outsider):
        assert as_user(app, person).get(f"/feedback/{otto.id}").status_code == 200


def test_private_notes_stay_with_their_author_and_admins(
    app, trio, recruiter, other_recruiter, third, admin
):
    otto = score(trio, other_recruiter, 2)
    score(trio, third, 4)
    tess_sees = as_user(app, third).get(f"/feedback/{otto.id}").get_data(as_text=True)
    assert f"NOTE-OF-{other_recruiter.id}" not in tess_sees
    for person in (other_recruiter, admin):
        page = as_user(app, person).get(f"/feedback/{otto.id}").get_data(as_text=True)
        assert f"NOTE-OF-{other_recruiter.id}" in page


# --- the debrief -------------------------------------------------------------------------------


def test_the_debrief_is_for_the_lead_once_scored_and_admins(
    app, trio, recruiter, other_recruiter, third, admin
):
    score(trio, other_recruiter, 2)
    score(trio, third, 5)
    lead = as_user(app, recruiter)
    before = lead.get(f"/interviews/{trio.id}/debrief")  # the lead has not scored yet:
    assert before.status_code == 200  # who has submitted, yes; the scores, not yet
    text = before.get_data(as_text=True)
    assert "Submit your own scorecard first" in text and "Ratings side by side" not in text
    assert "Otto Other" in text and "Submitted" in text
    assert lead.post(f"/interviews/{trio.id}/panel-feedback").status_code == 403
    assert as_user(app, admin).get(f"/interviews/{trio.id}/debrief").status_code == 200
    score(trio, recruiter, 4)
    page = lead.get(f"/interviews/{trio.id}/debrief").get_data(as_text=True)
    assert "The panel disagrees on 1 area" in page and "Presence and focus" in page
    assert as_user(app, other_recruiter).get(f"/interviews/{trio.id}/debrief").status_code == 403


def test_the_debrief_sets_ratings_side_by_side_with_spread_and_tally(
    app, trio, recruiter, other_recruiter, third
):
    score(trio, recruiter, 4, decision=Decision.INVITE, strengths="RITA-STRENGTH.")
    score(trio, other_recruiter, 2, decision=Decision.HOLD, strengths="OTTO-STRENGTH.")
    score(trio, third, 5, decision=Decision.INVITE)
    summary = panel.debrief(trio)
    presence = next(r for r in summary.dimensions if r.dimension is Dimension.PRESENCE)
    assert sorted(presence.rated) == [2, 4, 5]
    assert (presence.spread, presence.median, presence.disagreement) == (3, 4, True)
    assert [d.dimension for d in summary.disagreements] == [Dimension.PRESENCE]
    assert summary.decisions[Decision.INVITE] == 2 and summary.decisions[Decision.HOLD] == 1
    assert {text for _, text in summary.texts["strengths"]} >= {"RITA-STRENGTH.", "OTTO-STRENGTH."}


def test_a_draft_is_left_out_of_the_debrief(app, trio, recruiter, other_recruiter, third):
    score(trio, recruiter, 4)
    score(trio, other_recruiter, 1, state="draft")
    summary = panel.debrief(trio)
    assert not summary.complete and [u.name for u in summary.waiting_for] == [
        "Otto Other",
        "Tess Third",
    ]
    presence = next(r for r in summary.dimensions if r.dimension is Dimension.PRESENCE)
    assert presence.rated == [4]
    with pytest.raises(panel.PanelError, match="still waiting for Otto Other, Tess Third"):
        panel.start_panel_feedback(trio, recruiter)


@pytest.mark.parametrize(
    ("scores", "median"), [([2, 4, 5], 4), ([3, 4], 4), ([1, 2], 2), ([5], 5), ([2, 2, 5, 5], 4)]
)
def test_the_panel_median_is_a_whole_rating_rounded_half_up(scores, median):
    assert panel.panel_median(scores) == median


# --- one voice ---------------------------------------------------------------------------------


def complete(trio, recruiter, other_recruiter, third) -> Feedback:
    score(trio, recruiter, 4, strengths="RITA-WORDS.", decision=Decision.INVITE)
    score(trio, other_recruiter, 2, strengths="OTTO-WORDS.", decision=Decision.INVITE)
    score(trio, third, 5, strengths="RITA-WORDS.", decision=Decision.INVITE)
    voice = panel.start_panel_feedback(trio, recruiter)
    commit()
    return voice


def test_the_panel_feedback_starts_from_the_median_and_the_members_words(
    app, trio, recruiter, other_recruiter, third
):
    voice = complete(trio, recruiter, other_recruiter, third)
    assert voice.kind is FeedbackKind.PANEL and voice.state is FeedbackState.DRAFT
    ratings = {r.dimension: r.score for r in voice.ratings}
    assert ratings[Dimension.PRESENCE] == 4 and ratings[Dimension.EXCHANGE] == 4
    assert voice.strengths == "RITA-WORDS.\n\nOTTO-WORDS."  # each distinct text once
    assert voice.decision is Decision.INVITE  # unanimous
    assert voice.private_notes is None  # members' notes stay theirs
    assert panel.start_panel_feedback(trio, recruiter) is voice  # one voice per interview


def test_moving_a_rating_from_the_median_needs_a_reason_kept_internal(
    app, trio, recruiter, other_recruiter, third
):
    voice = complete(trio, recruiter, other_recruiter, third)
    client = as_user(app, recruiter)
    form = scorecard_form(score_presence="3", lock_version=str(voice.lock_version))
    response = client.post(f"/feedback/{voice.id}/edit", data={**form, "submit": "1"})
    page = response.get_data(as_text=True)
    assert "say why a rating differs from the panel" in page.lower()
    assert "Panel&#39;s median" in page or "Panel's median" in page
    db.session.expire_all()
    assert db.session.get(Feedback, voice.id).state is FeedbackState.DRAFT

    form = scorecard_form(
        score_presence="3",
        adjust_presence="INTERNAL-REASON: settled in late.",
        lock_version=str(db.session.get(Feedback, voice.id).lock_version),
    )
    response = client.post(f"/feedback/{voice.id}/edit", data={**form, "submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    voice = db.session.get(Feedback, voice.id)
    assert voice.state is FeedbackState.SUBMITTED
    assert "INTERNAL-REASON" not in str(candidate_content(voice))
    reason = db.session.scalar(
        select(Rating.adjustment_reason).where(
            Rating.feedback_id == voice.id, Rating.dimension == Dimension.PRESENCE
        )
    )
    assert reason == "INTERNAL-REASON: settled in late."


def test_the_candidate_gets_one_voice_however_many_interviewed(
    app, trio, recruiter, other_recruiter, third, outbox
):
    voice = complete(trio, recruiter, other_recruiter, third)
    member = db.session.scalar(
        select(Feedback).where(
            Feedback.author_id == other_recruiter.id, Feedback.kind == FeedbackKind.MEMBER
        )
    )
    with pytest.raises(services.FeedbackError, match="one voice"):
        services.release_feedback(member, actor=other_recruiter, acknowledged=set())
    services.submit_feedback(voice, actor=recruiter)
    services.release_feedback(voice, actor=recruiter, acknowledged=set())
    commit()
    candidate = as_user(app, trio.candidate.user)
    home = candidate.get("/").get_data(as_text=True)
    assert set(re.findall(r"/my/feedback/(\d+)", home)) == {str(voice.id)}
    assert candidate.get(f"/my/feedback/{voice.id}").status_code == 200
    assert candidate.get(f"/my/feedback/{member.id}").status_code in (403, 404)
    assert candidate.get(f"/reports/feedback/{member.id}.pdf").status_code in (403, 404)
    assert "OTTO-WORDS." in candidate.get(f"/my/feedback/{voice.id}").get_data(as_text=True)
    assert f"NOTE-OF-{other_recruiter.id}" not in home


def test_a_panel_of_one_releases_its_scorecard_as_before(app, recruiter):
    candidate = factories.candidate("Solo", "solo@example.com", with_account=True)
    interview = factories.interview(candidate, recruiter)
    fb = factories.feedback(interview, recruiter, "released")
    assert fb.kind is FeedbackKind.MEMBER and fb.state is FeedbackState.RELEASED
    assert not panel.is_panel(interview)
    assert as_user(app, recruiter).get(f"/interviews/{interview.id}/debrief").status_code == 403


# --- nobody forgets, and calibration -----------------------------------------------------------


def test_the_lead_sees_each_members_missing_scorecard(app, trio, recruiter, other_recruiter):
    score(trio, other_recruiter, 3)
    page = as_user(app, recruiter).get("/").get_data(as_text=True)
    awaiting = page.split("Interviews awaiting feedback")[1].split("Your drafts")[0]
    assert "your scorecard" in awaiting and "waiting for Tess Third" in awaiting
    assert "waiting for Otto Other" not in awaiting  # Otto has submitted
    otto_page = as_user(app, other_recruiter).get("/").get_data(as_text=True)
    assert "waiting for" not in otto_page.split("Interviews awaiting feedback")[1]


def test_the_lead_gets_a_quiet_note_when_a_member_scores_far_from_their_usual(
    app, trio, recruiter, other_recruiter, third
):
    # Otto usually gives 4s; for this candidate his presence and everything else are 2s.
    for n in range(3):
        other = factories.interview(
            factories.candidate(f"C{n}", f"c{n}@example.com"), other_recruiter
        )
        score(other, other_recruiter, 4)
    fb = services.start_feedback(trio, other_recruiter)
    services.save_feedback(
        fb,
        scorecard_input(scores={d: 2 for d in Dimension}),
        actor=other_recruiter,
        expected_version=fb.lock_version,
    )
    services.submit_feedback(fb, actor=other_recruiter)
    score(trio, recruiter, 4)
    score(trio, third, 4)
    notes = panel.calibration_notes(trio)
    assert [(n.user.name, n.here, n.usual, n.count) for n in notes] == [("Otto Other", 2.0, 4.0, 3)]
    voice = panel.start_panel_feedback(trio, recruiter)
    services.submit_feedback(voice, actor=recruiter)
    commit()
    page = as_user(app, recruiter).get(f"/feedback/{voice.id}/release").get_data(as_text=True)
    assert "Otto Other&#39;s ratings for this candidate average 2.0" in page or (
        "Otto Other's ratings for this candidate average 2.0" in page
    )
    assert "disabled" not in page.split("Release to the candidate</button>")[0][-200:]


def test_existing_interviews_become_panels_of_one_by_migration(make_app, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'panels.sqlite3'}")
    with app.app_context():
        upgrade(revision="0007")
        conn = db.session.connection()
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, active, session_version, created_at) "
                "VALUES (1, 'a@x.example', 'A', 'recruiter', 1, 1, '2026-01-01'),"
                " (2, 'b@x.example', 'B', 'recruiter', 1, 1, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO companies (id, name, kind, active, created_at) "
                "VALUES (1, 'Co', 'client', 1, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO positions (id, company_id, title, is_open, rubric_weights, "
                "created_at) VALUES (1, 1, 'Role', 1, '{}', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO candidates (id, name, email, created_at, last_activity_at) "
                "VALUES (1, 'Cand', 'c@x.example', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO interviews (id, candidate_id, position_id, interviewer_id, stage, "
                "format, scheduled_at, created_at) VALUES "
                "(1, 1, 1, 1, 'first', 'video', '2026-01-02', '2026-01-01'),"
                "(2, 1, 1, 2, 'second', 'video', '2026-01-09', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO feedback (id, interview_id, author_id, state, lock_version, "
                "revision, created_at, updated_at) VALUES "
                "(1, 1, 1, 'submitted', 1, 0, '2026-01-02', '2026-01-02'),"
                "(2, 1, 2, 'draft', 1, 0, '2026-01-02', '2026-01-02')"
            )
        )
        commit()
        upgrade(revision="0008")
        rows = conn = db.session.connection().execute(
            text("SELECT interview_id, user_id FROM panel_members ORDER BY 1, 2")
        )
        assert [tuple(r) for r in rows] == [(1, 1), (2, 2)]  # each its interviewer, alone
        kinds = db.session.connection().execute(text("SELECT DISTINCT kind FROM feedback"))
        assert [k for (k,) in kinds] == ["member"]
        commit()
        downgrade(revision="0007")
        tables = db.session.connection().execute(
            text("SELECT name FROM sqlite_master WHERE name = 'panel_members'")
        )
        assert tables.all() == []
        count = db.session.connection().execute(text("SELECT count(*) FROM feedback")).scalar()
        assert count == 2
        commit()
        upgrade()  # and up again, to the head
        db.engine.dispose()


def test_panel_members_of_an_interview_are_listed_lead_first(app, trio, recruiter):
    seats = panel.seats(trio)
    assert seats[0].user.id == recruiter.id and seats[0].is_lead
    assert [s.status for s in seats] == ["Not started"] * 3
    assert db.session.scalar(select(PanelMember.id).limit(1)) is not None


def test_a_scorecard_from_before_panels_stays_its_authors(app, recruiter, other_recruiter):
    """Migrated interviews are panels of one; someone else's older scorecard still works."""
    candidate = factories.candidate("Old", "old@example.com", with_account=True)
    interview = factories.interview(candidate, recruiter)
    legacy = Feedback(interview=interview, author=other_recruiter, state=FeedbackState.DRAFT)
    for d in Dimension:
        legacy.ratings.append(Rating(dimension=d))
    db.session.add(legacy)
    commit()
    services.save_feedback(
        legacy, scorecard_input(), actor=other_recruiter, expected_version=legacy.lock_version
    )
    services.submit_feedback(legacy, actor=other_recruiter)
    services.release_feedback(legacy, actor=other_recruiter, acknowledged=set())
    commit()
    assert legacy.state is FeedbackState.RELEASED and not panel.is_panel(interview)


# --- what a review found: no side doors ---------------------------------------------------------


def test_an_admin_on_the_panel_cannot_open_the_edit_page_to_peek(
    app, trio, recruiter, other_recruiter, admin
):
    panel.set_panel(trio, [other_recruiter, admin], lead=recruiter, actor=recruiter)
    otto = score(trio, other_recruiter, 2)
    client = as_user(app, admin)
    for url in (
        f"/feedback/{otto.id}",
        f"/feedback/{otto.id}/edit",
        f"/feedback/{otto.id}/release",
    ):
        assert client.get(url).status_code == 403, url
    score(trio, admin, 4)
    assert client.get(f"/feedback/{otto.id}/edit").status_code == 200


def test_the_panels_feedback_is_hidden_from_a_member_who_has_not_scored(
    app, trio, recruiter, other_recruiter, third
):
    score(trio, recruiter, 4)
    score(trio, other_recruiter, 2)
    score(trio, third, 5)
    voice = panel.start_panel_feedback(trio, recruiter)
    commit()
    newcomer = factories.user(email="new@example.com", name="New Member")
    panel.set_panel(trio, [other_recruiter, third, newcomer], lead=recruiter, actor=recruiter)
    commit()
    assert as_user(app, newcomer).get(f"/feedback/{voice.id}").status_code == 403
    # ... and the lead cannot release it until the newcomer has scored too.
    services.save_feedback(
        voice, scorecard_input(), actor=recruiter, expected_version=voice.lock_version
    )
    with pytest.raises(services.FeedbackError, match="waiting for New Member"):
        services.submit_feedback(voice, actor=recruiter)


def test_submitted_scorecards_are_fixed_once_the_panels_feedback_is_started(
    app, trio, recruiter, other_recruiter, third
):
    otto = score(trio, other_recruiter, 2)
    score(trio, recruiter, 4)
    score(trio, third, 5)
    panel.start_panel_feedback(trio, recruiter)
    commit()
    with pytest.raises(services.FeedbackError, match="fixed now"):
        services.reopen_feedback(otto, actor=other_recruiter)
    with pytest.raises(services.FeedbackError, match="fixed now"):
        services.save_feedback(
            otto, scorecard_input(), actor=other_recruiter, expected_version=otto.lock_version
        )


def test_nobody_takes_themselves_off_a_panel(app, trio, recruiter, other_recruiter, third):
    with pytest.raises(panel.PanelError, match="cannot take yourself off"):
        panel.set_panel(trio, [recruiter], lead=recruiter, actor=other_recruiter)


def test_someone_who_left_does_not_lock_the_interview(
    app, trio, recruiter, other_recruiter, third, admin
):
    third.active = False
    commit()
    client = as_user(app, recruiter)
    response = edit_interview(client, trio, recruiter, [recruiter.id, other_recruiter.id, third.id])
    assert response.status_code == 302  # Tess has left, and may stay where she was
    with pytest.raises(panel.PanelError, match="only active"):
        newcomer = factories.user(email="gone@example.com", name="Gone Person")
        newcomer.active = False
        panel.set_panel(trio, [other_recruiter, third, newcomer], lead=recruiter, actor=admin)
