"""Scorecard templates: the library, versions, the editor, and a template's skills and questions
everywhere a scorecard goes (form, completeness, release, score, report, export, erasure)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html import unescape

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.extensions import db
from portal.feedback import services
from portal.models import (
    Dimension,
    Feedback,
    FeedbackState,
    QuestionAnswer,
    ScorecardTemplate,
    SkillRating,
    Stage,
    TemplateVersion,
)
from portal.reports.queries import build_interview_report, build_journey_report
from portal.reports.types import canonical_json
from portal.scorecards import services as templates
from portal.scorecards.definition import Definition, DefinitionError
from portal.scorecards.forms import TemplateForm
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in


def editor_data(template: ScorecardTemplate, **changes) -> dict:
    """The template editor's fields as a browser posts them, from the current version."""
    data = TemplateForm.prefill(template.name, template.description, template.current.spec)
    data.update(changes)
    return {k: ("y" if v is True else v) for k, v in data.items() if v not in (None, False)}


def skills_position(title="Data Analyst", **kwargs):
    template = factories.template(
        kwargs.pop("name", f"{title} skills"),
        skills=factories.SKILLS,
        questions=factories.QUESTIONS,
        **kwargs,
    )
    return factories.position(title, template_=template), template


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


# --- the shipped library ------------------------------------------------------------------------


def test_the_shipped_library_is_valid_seeds_once_and_describes_behaviour(app):
    entries = templates.library()
    families = {e.family for e in entries}
    assert families == {
        "software_engineering",
        "data_analytics",
        "sales",
        "customer_support",
        "product_management",
        "operations",
    }
    for entry in entries:
        assert 4 <= len(entry.definition.skills) <= 5, entry.family
        for skill in entry.definition.skills:
            assert set(skill.anchors) == {1, 3, 5} and all(skill.anchors.values())
            assert skill.practice, f"{entry.family}.{skill.key} has no practice suggestion"
        assert any(q.required for q in entry.definition.questions)
    assert len(templates.seed_library()) == 6
    commit()
    assert templates.seed_library() == []  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardTemplate)) == 6


def test_the_library_wording_passes_the_release_check(app):
    """Anchors, meanings and practice advice reach candidates: none may trip the check."""
    from portal.release_check.screening import screen_text

    for entry in templates.library():
        for skill in entry.definition.skills:
            for text in [skill.meaning, *skill.anchors.values(), *skill.practice]:
                assert screen_text(text) == [], (entry.family, skill.key, text)


def test_a_seeded_template_edited_by_staff_is_left_alone_by_the_next_seed(app, admin):
    templates.seed_library()
    commit()
    sales = db.session.scalar(
        sa.select(ScorecardTemplate).where(ScorecardTemplate.family == "sales")
    )
    edited = Definition.parse({**sales.current.spec.to_json(), "skills": []})
    templates.save_template(sales, edited, actor=admin, name="Sales")
    commit()
    assert templates.seed_library() == []
    assert sales.current.number == 2 and sales.current.spec.skills == ()


# --- definitions: the one validator -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "place"),
    [
        ({"skills": [{"name": "", "meaning": "x", "anchors": {}}]}, "skills.1.name"),
        ({"skills": [{"name": "Ok", "meaning": "x", "anchors": {"1": "a", "3": "b"}}]}, "skills.1.anchors.5"),
        ({"skills": [{"name": "Ok", "meaning": "x", "anchors": {"1": "a", "3": "b", "5": "c"}, "weight": "two"}]}, "skills.1.weight"),
        ({"skills": [{"name": "Ok", "meaning": "x", "anchors": {"1": "a", "3": "b", "5": "c"}, "weight": 1e308}]}, "skills.1.weight"),
        ({"skills": [{"key": "presence", "name": "P", "meaning": "x", "anchors": {"1": "a", "3": "b", "5": "c"}}]}, "skills.1.key"),
        ({"skills": [{"key": "DROP TABLE", "name": "P", "meaning": "x", "anchors": {"1": "a", "3": "b", "5": "c"}}]}, "skills.1.key"),
        ({"weights": {"charisma": 2}}, "weights.charisma"),
        ({"weights": {"presence": -1}}, "weights.presence"),
        ({"questions": [{"text": "x" * 500}]}, "questions.1.text"),
        ({"questions": [{"text": "Why?", "required": "yes"}]}, "questions.1.required"),
        ({"skills": "not a list"}, "skills"),
    ],
)  # fmt: skip
def test_a_definition_refuses_what_would_break_a_scorecard(raw, place):
    with pytest.raises(DefinitionError) as refused:
        Definition.parse(raw)
    assert place in refused.value.problems


def test_two_skills_with_one_key_are_refused():
    skill = {"name": "SQL", "meaning": "x", "anchors": {"1": "a", "3": "b", "5": "c"}}
    with pytest.raises(DefinitionError) as refused:
        Definition.parse({"skills": [skill, dict(skill)]})
    assert refused.value.problems == {"skills.2.key": "is used twice in this template"}


# --- versions -----------------------------------------------------------------------------------


def test_editing_a_template_makes_a_version_and_a_release_never_changes(client, admin, recruiter):
    position, template = skills_position()
    released = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
        skill_scores={"problem_solving": 2, "sql": 5},
        skill_examples={"problem_solving": "You compared two approaches to the churn question."},
    )
    started = factories.feedback(
        factories.interview(factories.candidate("Jonas Weber"), recruiter, position_=position),
        recruiter,
        "draft",
    )
    revision = released.revisions[-1]
    frozen = (revision.content, revision.weights, revision.score, revision.template_version_id)
    report_before = canonical_json(build_interview_report(released.id))
    sign_in(client, admin.email)

    response = client.post(
        f"/scorecard-templates/{template.id}/edit",
        data=editor_data(
            template,
            skill_1_name="Structured problem solving",
            skill_1_anchor_5="Named the trade-off between two approaches and chose one.",
            skill_1_weight="4",
            weight_presence="0",
            note="Sharper anchors for problem solving.",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.number for v in template.versions] == [1, 2]
    assert template.current.spec.skill("problem_solving").name == "Structured problem solving"
    assert template.versions[0].spec.skill("problem_solving").name == "Problem solving"
    assert "saved as version 2" in client.get(response.headers["Location"]).text

    revision = db.session.get(type(revision), revision.id)
    assert (
        revision.content,
        revision.weights,
        revision.score,
        revision.template_version_id,
    ) == frozen
    assert canonical_json(build_interview_report(released.id)) == report_before
    # A scorecard already started keeps its version; a new one starts on version 2.
    assert db.session.get(Feedback, started.id).template_version.number == 1
    fresh = factories.feedback(
        factories.interview(factories.candidate("Lena Fischer"), recruiter, position_=position),
        recruiter,
        "draft",
    )
    assert fresh.template_version.number == 2


def test_saving_a_template_unchanged_makes_no_version(client, admin):
    _, template = skills_position()
    sign_in(client, admin.email)
    response = client.post(f"/scorecard-templates/{template.id}/edit", data=editor_data(template))
    assert response.status_code == 302
    assert "did not change" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert len(template.versions) == 1


def test_weights_and_score_are_frozen_at_release_with_the_role_skills(recruiter):
    position, template = skills_position(weights={"presence": 3})
    feedback = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
        scores={d: (5 if d is Dimension.PRESENCE else 3) for d in Dimension},
        skill_scores={"problem_solving": 1, "sql": 4},
    )
    revision = feedback.revisions[-1]
    assert revision.template_version_id == template.current.id
    assert revision.weights == {
        "presence": 3.0,
        "exchange": 1.0,
        "listening": 1.0,
        "questions": 1.0,
        "preparation": 1.0,
        "composure": 1.0,
        "problem_solving": 2.0,
        "sql": 1.0,
    }
    # (3×5 + 5×3 + 2×1 + 1×4) / (3 + 5 + 2 + 1) = 36 / 11
    assert revision.score == pytest.approx(3.27)
    assert services.overall_score(feedback) == revision.score
    assert [s["key"] for s in revision.content["skills"]] == ["problem_solving", "sql"]
    assert revision.content["skills"][0]["practice"] == factories.SKILLS[0]["practice"]


# --- the scorecard form -------------------------------------------------------------------------


def test_the_form_shows_the_templates_skills_with_anchors_and_questions(client, recruiter):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    sign_in(client, recruiter.email)
    edit = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    page = client.get(edit).text
    assert "1b. Role skills" in page and "Problem solving" in page
    assert "Compared two approaches and chose one, naming the trade-off." in page
    assert "Which example showed this best?" in page
    assert 'name="rate_problem_solving"' in page and 'name="answer_evidence"' in page


def test_the_form_refuses_ratings_for_skills_the_template_does_not_hold(client, recruiter):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    sign_in(client, recruiter.email)
    edit = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    feedback = db.session.scalar(sa.select(Feedback))
    data = factories.scorecard_form(
        rate_problem_solving="4",
        rate_sql="3",
        rate_negotiation="5",  # not in this template
        strengths="TYPED-STRENGTH-991 stays in the form.",
        save="1",
    )
    response = client.post(edit, data={**data, "lock_version": feedback.lock_version})
    assert response.status_code == 200
    assert "has no skill or question called “negotiation”" in response.text
    assert "TYPED-STRENGTH-991 stays in the form." in response.text
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).strengths is None  # nothing half-saved
    assert not db.session.scalars(
        sa.select(SkillRating.score).where(SkillRating.score.is_not(None))
    ).all()


@pytest.mark.parametrize("value", ["9", "0", "-1", "four", "3.5", "1" * 40])
def test_a_role_skill_rating_out_of_scale_comes_back_with_a_message(client, recruiter, value):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    sign_in(client, recruiter.email)
    edit = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    feedback = db.session.scalar(sa.select(Feedback))
    data = factories.scorecard_form(rate_problem_solving=value, save="1")
    response = client.post(edit, data={**data, "lock_version": feedback.lock_version})
    assert response.status_code == 200 and "Not a valid choice" in response.text


def test_a_scorecard_is_complete_only_with_every_role_skill_and_required_answer(recruiter):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    feedback = factories.feedback(
        interview, recruiter, "draft", skill_scores={"sql": 3}, answers={}
    )
    problems = services.completeness_problems(feedback)
    assert problems["rate_problem_solving"] == "rate every role skill"
    assert problems["answer_evidence"] == "answer the template's required questions"
    assert "answer_next_time" not in problems  # optional
    with pytest.raises(services.IncompleteError):
        services.submit_feedback(feedback, actor=recruiter)


def test_the_release_check_reads_answers_the_candidate_will_see(recruiter):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    feedback = factories.feedback(
        interview,
        recruiter,
        "submitted",
        answers={
            "evidence": "Not a culture fit, internally noted.",  # internal: not screened
            "next_time": "Honestly not a culture fit for this team.",
        },
    )
    fields = {f.field for f in services.release_findings(feedback)}
    assert "answer_next_time" in fields and "answer_evidence" not in fields
    with pytest.raises(services.UnacknowledgedFindings):
        services.release_feedback(feedback, actor=recruiter, acknowledged=set())


# --- positions and stages -----------------------------------------------------------------------


def test_a_recruiter_picks_a_template_for_a_position_and_one_for_a_stage(client, recruiter):
    engineering = factories.template("Engineering", skills=factories.SKILLS)
    data_t = factories.template("Data", skills=factories.SKILLS[1:])
    company = factories.company("Northwind")
    sign_in(client, recruiter.email)
    response = client.post(
        f"/companies/{company.id}/positions/new",
        data={
            "title": "Analytics Engineer",
            "is_open": "y",
            "template_id": str(engineering.id),
            "template_second": str(data_t.id),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/companies/{company.id}").text
    assert "Engineering" in page and "Second interview: Data" in page
    position = db.session.scalar(sa.select(db.Model.metadata.tables["positions"].c.id))
    from portal.models import Position

    position = db.session.get(Position, position)
    assert templates.template_for(position, Stage.FIRST) == engineering
    assert templates.template_for(position, Stage.SECOND) == data_t
    second = factories.interview(
        factories.candidate("Maya Chen"), recruiter, stage=Stage.SECOND, position_=position
    )
    card = factories.feedback(second, recruiter, "draft")
    assert card.template_version.template == data_t
    assert [r.skill_key for r in card.skill_ratings] == ["sql"]


@pytest.mark.parametrize("value", ["99999", "abc", "-1", "1" * 30])
def test_a_position_with_a_template_that_is_not_there_comes_back(client, recruiter, value):
    company = factories.company("Northwind")
    sign_in(client, recruiter.email)
    response = client.post(
        f"/companies/{company.id}/positions/new",
        data={"title": "Analyst <b>x</b>", "template_id": value},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert 'value="Analyst &lt;b&gt;x&lt;/b&gt;"' in response.text


def test_an_archived_template_is_not_offered_but_keeps_its_positions(client, admin, recruiter):
    position, template = skills_position()
    sign_in(client, recruiter.email)
    assert client.post(f"/scorecard-templates/{template.id}/archive").status_code == 403
    client.post("/sign-out")
    sign_in(client, admin.email)
    client.post(f"/scorecard-templates/{template.id}/archive")
    db.session.expire_all()
    assert template.archived
    new_form = client.get(f"/companies/{position.company_id}/positions/new").text
    assert f">{template.name}</option>" not in new_form
    own_form = client.get(f"/companies/positions/{position.id}/edit").text
    assert f">{template.name}</option>" in own_form  # still this position's, until changed


# --- the template editor ------------------------------------------------------------------------


def test_the_editor_brings_back_every_problem_beside_its_field(client, recruiter):
    sign_in(client, recruiter.email)
    response = client.post(
        "/scorecard-templates/new",
        data={
            "name": "Support <script>alert(1)</script>",
            "weight_presence": "two",
            "weight_exchange": "99",
            "skill_1_name": "De-escalation",
            "skill_1_meaning": "Calms a frustrated customer.",
            "skill_1_anchor_1": "Argued with the customer.",
            "skill_1_anchor_5": "Named the customer's frustration and offered a next step.",
            "skill_1_weight": "1",
            "skill_2_name": "x" * 200,
            "question_1_text": "What did they say?",
            "question_1_required": "y",
        },
    )
    assert response.status_code == 200
    text = response.text
    assert "Must be a number." in text and "Must be from 0 to 5." in text
    assert "Cannot be blank." in text  # skill 1's missing 3 anchor
    assert "Support &lt;script&gt;" in text and "<script>alert(1)</script>" not in text
    assert "Named the customer&#39;s frustration" in text  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardTemplate)) == 0


def test_a_recruiter_creates_a_template_and_a_name_clash_is_refused(client, recruiter):
    sign_in(client, recruiter.email)
    data = {
        "name": "Support lead",
        **{f"weight_{d.value}": "1" for d in Dimension},
        "skill_1_name": "De-escalation",
        "skill_1_meaning": "Calms a frustrated customer and moves to a fix.",
        "skill_1_anchor_1": "Argued with the customer.",
        "skill_1_anchor_3": "Stayed calm; the next step was vague.",
        "skill_1_anchor_5": "Named the frustration and agreed a next step.",
        "skill_1_weight": "1.5",
        "skill_1_practice": "Role-play an angry call with a friend.\nWrite down your opening line.",
    }
    created = client.post("/scorecard-templates/new", data=data)
    assert created.status_code == 302
    template = db.session.scalar(sa.select(ScorecardTemplate))
    skill = template.current.spec.skill("de_escalation")
    assert skill.weight == 1.5 and len(skill.practice) == 2
    again = client.post("/scorecard-templates/new", data={**data, "name": "support LEAD"})
    assert again.status_code == 200 and "already exists" in again.text
    assert 'value="support LEAD"' in again.text


def test_reading_an_old_version_and_one_that_does_not_exist(client, admin):
    _, template = skills_position()
    templates.save_template(
        template,
        Definition.parse({"skills": factories.SKILLS[:1]}),
        actor=admin,
        name=template.name,
    )
    commit()
    sign_in(client, admin.email)
    old = client.get(f"/scorecard-templates/{template.id}?version=1")
    assert old.status_code == 200 and "You are reading version 1" in old.text and "SQL" in old.text
    assert client.get(f"/scorecard-templates/{template.id}?version=7").status_code == 404
    assert client.get(f"/scorecard-templates/{template.id}?version=abc").status_code == 404
    assert client.get("/scorecard-templates/99999").status_code == 404


# --- the panel ----------------------------------------------------------------------------------


def test_the_debrief_and_the_panels_feedback_take_the_role_skills(recruiter, other_recruiter):
    position, _ = skills_position()
    interview = factories.interview(
        factories.candidate("Maya Chen"), recruiter, position_=position, panel=[other_recruiter]
    )
    factories.feedback(
        interview, recruiter, "submitted", skill_scores={"problem_solving": 1, "sql": 4}
    )
    factories.feedback(
        interview, other_recruiter, "submitted", skill_scores={"problem_solving": 4, "sql": 4}
    )
    from portal.feedback import panel

    summary = panel.debrief(interview)
    rows = {row.key: row for row in summary.skills}
    assert rows["problem_solving"].disagreement and rows["problem_solving"].median == 3
    assert "problem_solving" in {d.key for d in summary.disagreements}
    voice = panel.start_panel_feedback(interview, recruiter)
    assert {r.skill_key: r.score for r in voice.skill_ratings} == {"problem_solving": 3, "sql": 4}
    # Moving a skill off the median needs an internal reason, as for the dimensions.
    data = factories.scorecard_input(skill_scores={"problem_solving": 2, "sql": 4})
    services.save_feedback(voice, data, actor=recruiter, expected_version=voice.lock_version)
    assert "reason_problem_solving" in services.completeness_problems(voice)


# --- the candidate's report, export and erasure ------------------------------------------------


def test_the_report_shows_role_skills_beside_the_engagement_dimensions(recruiter):
    position, _ = skills_position()
    candidate = factories.candidate("Maya Chen")
    first = factories.feedback(
        factories.interview(candidate, recruiter, position_=position),
        recruiter,
        "released",
        skill_scores={"problem_solving": 1, "sql": 4},
        answers={"evidence": "INTERNAL-ANSWER-55", "next_time": "Bring one project end to end."},
    )
    report = build_interview_report(first.id)
    assert [r.label for r in report.role_skills] == ["Problem solving", "SQL"]
    assert report.role_skills[0].band == "developing"
    assert len(report.ratings) == 6
    # The action plan takes the low role skill's advice from the template.
    assert report.action_plan[0].label == "Problem solving"
    assert report.action_plan[0].practice == factories.SKILLS[0]["practice"][0]
    assert [a.text for a in report.answers] == ["Bring one project end to end."]
    assert "INTERNAL-ANSWER-55" not in canonical_json(report)

    second = factories.feedback(
        factories.interview(candidate, recruiter, stage=Stage.SECOND, position_=position),
        recruiter,
        "released",
        skill_scores={"problem_solving": 3, "sql": 5},
    )
    journey = build_journey_report(candidate.id)
    trends = {t.dimension: t.scores for t in journey.skill_trends}
    assert trends == {"problem_solving": (1, 3), "sql": (4, 5)}
    assert second.id


def test_the_pdf_parses_with_role_skills_and_an_engagement_only_one_without(client, recruiter):
    position, _ = skills_position()
    plain = factories.position("Clinical Data Specialist")
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    with_skills = factories.feedback(
        factories.interview(cand, recruiter, position_=position), recruiter, "released"
    )
    without = factories.feedback(
        factories.interview(cand, recruiter, stage=Stage.SECOND, position_=plain),
        recruiter,
        "released",
    )
    sign_in(client, "maya@example.com")
    text = pdf_text(client.get(f"/reports/feedback/{with_skills.id}.pdf").data)
    assert "Skills for this role" in text and "Problem solving" in text and "SQL" in text
    assert "Presence and focus" in text  # beside the six engagement dimensions
    other = pdf_text(client.get(f"/reports/feedback/{without.id}.pdf").data)
    assert "Presence and focus" in other
    assert "Skills for this role" not in other and "Problem solving" not in other


def test_the_export_holds_released_role_skills_and_erasure_removes_every_word(
    client, admin, recruiter
):
    position, _ = skills_position()
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    feedback = factories.feedback(
        factories.interview(cand, recruiter, position_=position),
        recruiter,
        "released",
        skill_examples={"sql": "SKILL-EXAMPLE-4412 wrote the join."},
        answers={"evidence": "INTERNAL-ANSWER-55", "next_time": "CANDIDATE-ANSWER-66"},
    )
    sign_in(client, "maya@example.com")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/my/data-export").data))
    data = archive.read("data.json").decode()
    assert "SKILL-EXAMPLE-4412" in data and "CANDIDATE-ANSWER-66" in data
    assert "INTERNAL-ANSWER-55" not in data  # internal, like private notes
    assert json.loads(data)["interviews"][0]["released_feedback"][0]["content"]["skills"]

    from portal.privacy.services import erase_candidate

    erase_candidate(cand, actor=admin, confirmed_name=cand.name)
    commit()
    dump = json.dumps(
        [
            [r.example for r in db.session.scalars(sa.select(SkillRating))],
            [a.text for a in db.session.scalars(sa.select(QuestionAnswer))],
            [r.content for r in db.session.get(Feedback, feedback.id).revisions],
        ]
    )
    for secret in ("SKILL-EXAMPLE-4412", "INTERNAL-ANSWER-55", "CANDIDATE-ANSWER-66"):
        assert secret not in dump
    assert db.session.get(Feedback, feedback.id).state is FeedbackState.RELEASED


def test_a_template_version_is_never_updated_in_place(recruiter, admin):
    _, template = skills_position()
    first = template.current
    before = dict(first.definition)
    templates.save_template(
        template,
        Definition.parse({"skills": factories.SKILLS[1:]}),
        actor=admin,
        name=template.name,
    )
    commit()
    db.session.expire_all()
    assert db.session.get(TemplateVersion, first.id).definition == before


def test_the_demo_shows_role_skills_to_a_readme_candidate(app, client):
    """Two demo positions with different templates: Maya Chen (a README login) reads the data
    skills in her PDF; Jonas Weber's operations report has its own and none of hers."""
    from portal.demo import seed_demo
    from portal.models import Candidate, Interview

    seed_demo()
    commit()

    def released_pdf(email: str) -> str:
        feedback_id = db.session.scalar(
            sa.select(Feedback.id)
            .join(Feedback.interview)
            .join(Interview.candidate)
            .where(Candidate.email == email, Feedback.state == FeedbackState.RELEASED)
            .order_by(Feedback.id)
            .limit(1)
        )
        client.post("/sign-out")
        sign_in(client, email, "betteroff-demo")
        response = client.get(f"/reports/feedback/{feedback_id}.pdf")
        assert response.status_code == 200
        return pdf_text(response.data)

    maya = released_pdf("candidate@example.com")
    assert "Skills for this role" in maya
    assert "Framing the business question" in maya and "Querying and preparing data" in maya
    assert "Presence and focus" in maya and "Composure and attitude" in maya
    jonas = released_pdf("candidate2@example.com")
    assert "Skills for this role" in jonas and "Process improvement" in jonas
    assert "Statistical judgement" not in jonas and "Statistical judgement" in maya


def test_the_candidate_portal_shows_role_skills_and_their_answer(client, recruiter):
    position, _ = skills_position()
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    feedback = factories.feedback(
        factories.interview(cand, recruiter, position_=position),
        recruiter,
        "released",
        skill_scores={"problem_solving": 2, "sql": 5},
        answers={"evidence": "INTERNAL-ANSWER-55", "next_time": "Bring one project end to end."},
    )
    sign_in(client, "maya@example.com")
    page = client.get(f"/my/feedback/{feedback.id}").text
    assert "Skills for this role" in page and "Problem solving" in page
    assert "Developing" in page and "Bring one project end to end." in page
    assert "INTERNAL-ANSWER-55" not in page


def test_a_huge_made_up_field_name_is_refused_briefly(client, recruiter):
    position, _ = skills_position()
    interview = factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position)
    sign_in(client, recruiter.email)
    edit = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    feedback = db.session.scalar(sa.select(Feedback))
    data = factories.scorecard_form(save="1", **{"answer_" + "<b>x</b>" * 900: "hello"})
    response = client.post(edit, data={**data, "lock_version": feedback.lock_version})
    assert response.status_code == 200
    assert "has no skill or question called" in response.text
    assert "<b>x</b>" not in response.text and len(response.text) < 60_000


def test_the_dashboard_shows_my_role_skill_averages_beside_the_teams(
    client, recruiter, other_recruiter
):
    position, _ = skills_position()
    for author, scores in ((recruiter, (2, 4)), (other_recruiter, (4, 4))):
        factories.feedback(
            factories.interview(
                factories.candidate(f"Cand {author.id}"), author, position_=position
            ),
            author,
            "submitted",
            skill_scores={"problem_solving": scores[0], "sql": scores[1]},
        )
    sign_in(client, recruiter.email)
    page = client.get("/").text
    assert "Role skills you rate" in page
    title = page[page.index("Role-skill averages, you and the team") :].split("</title>")[0]
    assert "Problem solving 2.0 (team 3.0)" in title and "SQL 4.0 (team 4.0)" in title
    # A new submission shows at once: the cached averages are forgotten on a scorecard change.
    factories.feedback(
        factories.interview(factories.candidate("Cand late"), recruiter, position_=position),
        recruiter,
        "submitted",
        skill_scores={"problem_solving": 5, "sql": 4},
    )
    title = (
        client.get("/").text.split("Role-skill averages, you and the team")[1].split("</title>")[0]
    )
    assert "Problem solving 3.5 (team 3.7)" in title


def test_what_a_candidate_reads_of_a_template_passes_the_release_check(client, recruiter):
    """Skill names, practice suggestions and candidate-facing questions reach the candidate's
    report, so a new version of a template is screened like feedback; interviewer-only
    questions and anchors are not."""
    sign_in(client, recruiter.email)
    data = {
        "name": "Field sales",
        **{f"weight_{d.value}": "1" for d in Dimension},
        "skill_1_name": "Client rapport",
        "skill_1_meaning": "Builds trust with a new client.",
        "skill_1_anchor_1": "Talked over the client.",
        "skill_1_anchor_3": "Friendly; missed the client's concern.",
        "skill_1_anchor_5": "Named the concern and agreed a next step.",
        "skill_1_practice": "Young people learn this fastest: shadow a colleague.",
        "question_1_text": "Would you have a beer with them?",
        "question_1_candidate_facing": "y",
        "question_2_text": "Is the candidate a culture fit?",  # for the interviewer only
    }
    refused = client.post("/scorecard-templates/new", data=data)
    assert refused.status_code == 200
    text = refused.text
    assert "Release check: 2 things to review" in text
    assert "Skill 1: Practice suggestions for a low rating" in text
    assert 'href="#skill_1_practice"' in text and 'href="#question_1_text"' in text
    assert "Young people learn this fastest" in text  # what was typed comes back
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardTemplate)) == 0
    keys = re.findall(r'name="acknowledge" value="([^"]+)"', text)
    assert len(keys) == 2
    kept = client.post(
        "/scorecard-templates/new", data={**data, "acknowledge": [unescape(k) for k in keys]}
    )
    assert kept.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardTemplate)) == 1
