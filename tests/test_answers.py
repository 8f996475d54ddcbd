"""The candidate's say (#18): their answer, questions and corrections, and how staff handle
them — through the pages, as the candidate and the recruiter use them."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime, timedelta
from html import unescape
from io import BytesIO

import pytest
from sqlalchemy import func, select

from portal import tokens
from portal.answers import services as answers
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Candidate,
    CandidateAnswer,
    Feedback,
    FeedbackThread,
    GainAnswer,
    Resolution,
    ThreadKind,
    ThreadMessage,
    ThreadState,
    utcnow,
)
from portal.privacy.services import erase_candidate
from portal.unit_of_work import commit
from tests import factories
from tests.factories import body, scorecard_form, sign_in

ANSWER = {
    "next_round": "yes",
    "referral": "no",
    "skills": "partly",
    "insight": "yes",
    "usefulness": "4",
    "comment": "The example about the dashboard helped me a lot.",
}


@pytest.fixture
def cand(app):
    return factories.candidate("Maya Chen", "maya@example.com", with_account=True)


@pytest.fixture
def released(app, cand, recruiter):
    return factories.feedback(factories.interview(cand, recruiter), recruiter, "released")


def _page(client, fb) -> str:
    response = client.get(f"/my/feedback/{fb.id}")
    assert response.status_code == 200
    return response.text


def _age(fb: Feedback, days: int) -> None:
    """Pretend the feedback (and its latest revision) was released `days` ago."""
    moment = utcnow() - timedelta(days=days)
    fb = db.session.get(Feedback, fb.id)
    fb.released_at = moment
    for revision in fb.revisions:
        revision.released_at = moment
    commit()


# --- answering ---------------------------------------------------------------------------------


def test_the_candidate_answers_and_changes_their_answer(client, cand, released):
    sign_in(client, cand.email)
    page = _page(client, released)
    assert "Your say" in page and "Send my answer" in page
    assert "Recruiter" in page  # who reads the comment is named (the recruiter's name)
    saved = client.post(f"/my/feedback/{released.id}/answer", data=ANSWER)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#your-say")
    answer = db.session.scalar(select(CandidateAnswer))
    assert answer.next_round is GainAnswer.YES and answer.skills is GainAnswer.PARTLY
    assert answer.usefulness == 4 and answer.revision == 1
    assert "Update my answer" in _page(client, released)
    client.post(f"/my/feedback/{released.id}/answer", data=ANSWER | {"usefulness": "2"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CandidateAnswer.id))) == 1
    assert db.session.scalar(select(CandidateAnswer.usefulness)) == 2
    # The audit says it happened, never what was answered.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("feedback_answer%"))
    ).all()
    assert [e.action for e in events] == ["feedback_answered", "feedback_answer_changed"]
    assert "dashboard" not in json.dumps([e.details for e in events])


def test_the_start_page_shows_what_the_candidate_said(client, cand, released):
    sign_in(client, cand.email)
    assert "Did this interview leave you better off?" in client.get("/").text
    client.post(f"/my/feedback/{released.id}/answer", data=ANSWER)
    home = client.get("/").text
    assert "You said:" in home and "a next interview: yes" in home
    assert "The example about the dashboard helped me a lot." in home


@pytest.mark.parametrize(
    "change, message",
    [
        ({"next_round": ""}, "Choose yes, partly or no."),
        ({"skills": "maybe"}, "Not a valid choice"),
        ({"usefulness": "99"}, "Not a valid choice"),
        ({"usefulness": ""}, "Choose a number from 1 to 5."),
        ({"comment": "x" * 2001}, "Keep this under 2000 characters"),
        ({"comment": "\u200b\u200b"}, "Use visible characters"),
    ],
)
def test_hostile_answers_get_a_message_and_the_form_back(client, cand, released, change, message):
    sign_in(client, cand.email)
    typed = ANSWER | {"comment": "Kept <b>as typed</b>"} | change
    response = client.post(f"/my/feedback/{released.id}/answer", data=typed)
    assert response.status_code == 422
    assert message in response.text
    if "comment" not in change:
        assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in response.text  # escaped, not lost
    assert db.session.scalar(select(func.count(CandidateAnswer.id))) == 0


def test_markup_in_a_comment_is_shown_as_text_to_the_recruiter(client, cand, released, recruiter):
    sign_in(client, cand.email)
    client.post(
        f"/my/feedback/{released.id}/answer",
        data=ANSWER | {"comment": "<script>alert(1)</script> thanks"},
    )
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    detail = client.get(f"/feedback/{released.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thanks" in detail
    assert "<script>alert(1)" not in detail


def test_the_recruiter_reads_the_comment_but_never_the_gains(client, cand, released, recruiter):
    sign_in(client, cand.email)
    client.post(f"/my/feedback/{released.id}/answer", data=ANSWER)
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    detail = client.get(f"/feedback/{released.id}").text
    say = detail[detail.index('id="candidate-say"') :]
    say = say[: say.index("</section>")]
    assert "The example about the dashboard" in say
    # Not whether or when they answered, nor what: the measure would give it away.
    assert "answered on" not in say and "Partly" not in say and "4 of 5" not in say


def test_another_candidate_cannot_answer_or_read(client, app, released):
    other = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    sign_in(client, other.email)
    assert client.get(f"/my/feedback/{released.id}").status_code == 404
    assert client.post(f"/my/feedback/{released.id}/answer", data=ANSWER).status_code == 404
    threads = {"new-kind": "question", "new-body": "Why?"}
    assert client.post(f"/my/feedback/{released.id}/threads", data=threads).status_code == 404
    assert db.session.scalar(select(func.count(CandidateAnswer.id))) == 0
    assert db.session.scalar(select(func.count(FeedbackThread.id))) == 0


def test_staff_cannot_answer_for_the_candidate(client, recruiter, released):
    sign_in(client, recruiter.email)
    assert client.post(f"/my/feedback/{released.id}/answer", data=ANSWER).status_code == 403


def test_unreleased_feedback_cannot_be_answered(client, cand, recruiter):
    draft = factories.feedback(factories.interview(cand, recruiter), recruiter, "submitted")
    sign_in(client, cand.email)
    assert client.post(f"/my/feedback/{draft.id}/answer", data=ANSWER).status_code == 404


def test_answers_close_30_days_after_release_and_reopen_with_an_amendment(
    client, cand, released, recruiter
):
    sign_in(client, cand.email)
    client.post(f"/my/feedback/{released.id}/answer", data=ANSWER)
    _age(released, 31)
    page = _page(client, released)
    assert "Answers closed on" in page and "Update my answer" not in page
    assert "Yes" in page  # the answer they gave is still shown to them
    refused = client.post(f"/my/feedback/{released.id}/answer", data=ANSWER | {"usefulness": "1"})
    assert refused.status_code == 422 and "closed on" in refused.text
    db.session.expire_all()
    assert db.session.scalar(select(CandidateAnswer.usefulness)) == 4  # unchanged
    thread = {"new-kind": "question", "new-body": "One more thing."}
    assert "closed on" in client.post(f"/my/feedback/{released.id}/threads", data=thread).text
    # An amendment changes what they answer about: 30 days again from it.
    fb = db.session.get(Feedback, released.id)
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    client.post(
        f"/feedback/{fb.id}/edit",
        data=scorecard_form(
            lock_version=str(fb.lock_version),
            strengths="Corrected strengths.",
            amendment_reason="The date of your case study was wrong.",
        ),
    )
    client.post("/sign-out")
    sign_in(client, cand.email)
    again = client.post(f"/my/feedback/{released.id}/answer", data=ANSWER | {"usefulness": "5"})
    assert again.status_code == 302
    db.session.expire_all()
    answer = db.session.scalar(select(CandidateAnswer))
    assert answer.usefulness == 5 and answer.revision == 2


def test_the_window_is_configurable(app, cand, recruiter):
    app.config["ANSWER_WINDOW_DAYS"] = 3
    fb = factories.feedback(factories.interview(cand, recruiter), recruiter, "released")
    assert answers.window_open(fb)
    assert not answers.window_open(fb, utcnow() + timedelta(days=3, minutes=1))


# --- questions and corrections -------------------------------------------------------------------


def _ask(client, fb, kind="question", text="Could you say more about the case study?"):
    return client.post(f"/my/feedback/{fb.id}/threads", data={"new-kind": kind, "new-body": text})


def test_a_question_reaches_the_recruiter_and_the_reply_reaches_the_candidate(
    client, cand, released, recruiter, outbox
):
    sign_in(client, cand.email)
    asked = _ask(client, released)
    assert asked.status_code == 302
    thread = db.session.scalar(select(FeedbackThread))
    assert thread.state is ThreadState.OPEN and thread.reply_due_at > thread.waiting_since
    told = outbox.last()
    assert told["To"] == recruiter.email and "asked a question" in told["Subject"]
    assert "case study" not in body(told)  # the words stay in the portal
    assert f"/threads/{thread.id}" in body(told)
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    dashboard = client.get("/").text
    assert "Questions from candidates" in dashboard and "Maya Chen: question" in dashboard
    page = client.get(f"/threads/{thread.id}").text
    assert "Could you say more about the case study?" in page
    blank = client.post(f"/threads/{thread.id}/reply", data={"body": "   "})
    assert blank.status_code == 422 and "Write your reply first." in blank.text
    replied = client.post(
        f"/threads/{thread.id}/reply",
        data={"body": "The case study was the pricing exercise.", "resolve": "y"},
    )
    assert replied.status_code == 302
    mail = outbox.last()
    assert mail["To"] == cand.email and "replied" in mail["Subject"]
    assert "Maya Chen: question" not in client.get("/").text
    client.post("/sign-out")
    sign_in(client, cand.email)
    page = _page(client, released)
    assert "The case study was the pricing exercise." in page
    assert "Resolved: your recruiter answered." in page


def test_a_correction_resolved_by_an_amendment_shows_the_reason(
    client, cand, released, recruiter, outbox
):
    sign_in(client, cand.email)
    _ask(client, released, "correction", "The interview was on 3 March, not 4 March.")
    thread = db.session.scalar(select(FeedbackThread))
    assert thread.kind is ThreadKind.CORRECTION
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    page = client.get(f"/threads/{thread.id}").text
    assert f"/feedback/{released.id}/edit?thread={thread.id}" in page.replace("&amp;", "&")
    form = client.get(f"/feedback/{released.id}/edit?thread={thread.id}").text
    assert re.search(rf'name="resolves" value="{thread.id}"\s+checked', form)
    fb = db.session.get(Feedback, released.id)
    done = client.post(
        f"/feedback/{fb.id}/edit",
        data=scorecard_form(
            lock_version=str(fb.lock_version),
            strengths="You walked through the dashboard rebuild on 3 March.",
            amendment_reason="Corrected the interview date to 3 March.",
            resolves=str(thread.id),
        ),
    )
    assert done.status_code == 302
    db.session.expire_all()
    thread = db.session.get(FeedbackThread, thread.id)
    assert thread.state is ThreadState.RESOLVED and thread.resolution is Resolution.AMENDMENT
    assert thread.resolved_revision == 2
    assert "updated" in outbox.last()["Subject"]  # the amendment's own email, with the reason
    client.post("/sign-out")
    sign_in(client, cand.email)
    page = _page(client, released)
    assert "Resolved: your feedback was corrected (version 2)." in page
    assert "Corrected in version 2: Corrected the interview date to 3 March." in page
    assert "Your recruiter corrected this feedback" in page


def test_an_amendment_leaves_unticked_corrections_open(client, cand, released, recruiter):
    sign_in(client, cand.email)
    _ask(client, released, "correction", "My name is spelt wrong.")
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    fb = db.session.get(Feedback, released.id)
    client.post(
        f"/feedback/{fb.id}/edit",
        data=scorecard_form(
            lock_version=str(fb.lock_version),
            strengths="Other change.",
            amendment_reason="A typo.",
        ),
    )
    db.session.expire_all()
    assert db.session.scalar(select(FeedbackThread.state)) is ThreadState.OPEN


def test_a_thread_stays_open_for_messages_after_the_window_but_cannot_be_reopened(
    client, cand, released, recruiter
):
    sign_in(client, cand.email)
    _ask(client, released)
    first = db.session.scalar(select(FeedbackThread))
    _ask(client, released, text="A second question.")
    second = db.session.scalars(select(FeedbackThread).order_by(FeedbackThread.id)).all()[1]
    with db.session.no_autoflush:
        answers.reply(
            db.session.get(FeedbackThread, second.id), "Answered.", actor=recruiter, resolve=True
        )
    commit()
    _age(released, 40)
    still = client.post(f"/my/threads/{first.id}", data={"body": "Any news?"})
    assert still.status_code == 302
    reopen = client.post(f"/my/threads/{second.id}", data={"body": "Not quite."})
    assert reopen.status_code == 422 and "closed on" in reopen.text
    db.session.expire_all()
    assert db.session.get(FeedbackThread, second.id).state is ThreadState.RESOLVED


def test_writing_again_reopens_a_resolved_thread_within_the_window(
    client, cand, released, recruiter
):
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    answers.reply(thread, "Answered.", actor=recruiter, resolve=True)
    commit()
    assert client.post(f"/my/threads/{thread.id}", data={"body": "Not quite."}).status_code == 302
    db.session.expire_all()
    thread = db.session.get(FeedbackThread, thread.id)
    assert thread.state is ThreadState.OPEN and thread.reply_due_at is not None
    assert thread.resolution is None


def test_only_the_handler_and_admins_read_a_thread(client, app, cand, released, admin):
    other = factories.user(role="recruiter", email="other-rec@example.com")
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    client.post("/sign-out")
    sign_in(client, other.email)
    assert client.get(f"/threads/{thread.id}").status_code == 403
    assert client.post(f"/threads/{thread.id}/reply", data={"body": "x"}).status_code == 403
    client.post("/sign-out")
    sign_in(client, admin.email)
    assert client.get(f"/threads/{thread.id}").status_code == 200
    assert client.get("/threads/999999").status_code == 404
    client.post("/sign-out")
    stranger = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    sign_in(client, stranger.email)
    assert client.post(f"/my/threads/{thread.id}", data={"body": "hi"}).status_code == 404
    assert db.session.scalar(select(func.count(ThreadMessage.id))) == 1


def test_the_panel_lead_handles_the_panels_feedback(app, cand, recruiter, other_recruiter):
    interview = factories.interview(cand, recruiter, panel=[other_recruiter])
    factories.feedback(interview, recruiter, "submitted")
    factories.feedback(interview, other_recruiter, "submitted")
    from portal.feedback import panel
    from portal.permissions import handler_id

    voice = panel.start_panel_feedback(interview, recruiter)
    assert handler_id(voice) == recruiter.id
    interview.interviewer_id = other_recruiter.id  # the lead changes
    assert handler_id(voice) == other_recruiter.id


def test_a_candidate_cannot_flood_a_recruiter(client, cand, released):
    sign_in(client, cand.email)
    for n in range(answers.MAX_OPEN_THREADS):
        assert _ask(client, released, text=f"Question {n}").status_code == 302
    refused = _ask(client, released, text="One too many")
    assert refused.status_code == 422 and "write in one of them" in refused.text
    assert "One too many" in refused.text  # what they typed is still there


# --- working days and overdue threads ------------------------------------------------------------


def test_replies_are_due_in_working_days(app):
    friday = datetime(2026, 12, 18, 15, 0)  # the Friday before Christmas
    # Two working days: Monday 21, Tuesday 22.
    assert answers.add_working_days(friday, 2) == datetime(2026, 12, 22, 15, 0)
    # Christmas Eve (Thursday): Christmas Day and the Boxing Day holiday (Monday 28, as the
    # 26th is a Saturday) are skipped in England.
    eve = datetime(2026, 12, 24, 9, 30)
    assert answers.add_working_days(eve, 2) == datetime(2026, 12, 30, 9, 30)


def test_without_a_holiday_calendar_only_weekends_are_skipped(make_app):
    app = make_app(WORKING_DAYS_CALENDAR="")
    with app.app_context():
        assert answers.add_working_days(datetime(2026, 12, 24, 9, 30), 2) == datetime(
            2026, 12, 28, 9, 30
        )


def test_an_overdue_thread_is_flagged_to_admins_once(client, app, cand, released, admin):
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    later = thread.reply_due_at + timedelta(hours=1)
    assert answers.flag_overdue(thread.reply_due_at - timedelta(hours=1)) == []
    assert [t.id for t in answers.flag_overdue(later)] == [thread.id]
    assert answers.flag_overdue(later + timedelta(days=1)) == []  # once
    commit()
    flagged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "thread_overdue")
    ).all()
    assert len(flagged) == 1
    thread.reply_due_at = utcnow() - timedelta(hours=1)
    commit()
    client.post("/sign-out")
    sign_in(client, admin.email)
    dashboard = client.get("/").text
    assert "Overdue replies to candidates" in dashboard and "Maya Chen: question" in dashboard


def test_the_admins_digest_lists_overdue_threads(app, cand, released, admin, outbox):
    from portal import reminders

    factories.user(role="recruiter", email="quiet@example.com")
    thread = answers.open_thread(
        released, ThreadKind.QUESTION, "When will I hear back?", actor=cand.user
    )
    commit()
    summary = reminders.send_digests(thread.reply_due_at + timedelta(hours=2))
    commit()
    assert summary.sent >= 1
    digest = next(m for m in outbox.messages() if m["To"] == admin.email)
    assert "waiting too long for a reply" in digest["Subject"]
    assert "Maya Chen" in body(digest) and f"/threads/{thread.id}" in body(digest)
    assert "When will I hear back?" not in body(digest)


# --- the signed link in the release email ---------------------------------------------------------


def _answer_link(app, fb) -> str:
    from portal.notifications import answer_link

    with app.test_request_context():
        return answer_link(fb).split("://", 1)[1].split("/", 1)[1]


def test_the_release_email_links_to_the_answer_after_sign_in(client, app, cand, recruiter, outbox):
    fb = factories.feedback(factories.interview(cand, recruiter), recruiter, "released")
    mail = body(outbox.last())
    link = re.search(r"https?://\S+/my/answer/\S+", mail).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    sign_in(client, cand.email)
    opened = client.get(path)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/my/feedback/{fb.id}#your-say")


def test_the_answer_link_is_refused_to_others_and_when_tampered_or_expired(
    client, make_app, cand, released
):
    path = "/" + _answer_link(client.application, released)
    other = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    sign_in(client, other.email)
    refused = client.get(path)
    assert refused.status_code == 404 and "sent to another person" in refused.text
    client.post("/sign-out")
    sign_in(client, cand.email)
    assert "not valid" in client.get(path[:-3] + "xyz").text
    with client.application.test_request_context():
        old = tokens._serializer(tokens.FEEDBACK_ANSWER)
        stale = old.dumps({"f": released.id, "c": cand.id, "r": 1})
    import time

    real = time.time
    try:
        time.time = lambda: real() + 31 * 86400  # the link is read a month later
        assert "expired" in client.get(f"/my/answer/{stale}").text
    finally:
        time.time = real


# --- privacy ------------------------------------------------------------------------------------


def test_export_and_erasure_cover_answers_and_threads(client, cand, released, recruiter):
    sign_in(client, cand.email)
    client.post(f"/my/feedback/{released.id}/answer", data=ANSWER)
    _ask(client, released, "correction", "MARKER-2231 the date is wrong.")
    thread = db.session.scalar(select(FeedbackThread))
    answers.reply(thread, "REPLY-7741 we checked.", actor=recruiter, resolve=False)
    commit()
    export = client.get("/my/data-export")
    with zipfile.ZipFile(BytesIO(export.data)) as archive:
        data = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith(".json"))))
    said = data["your_answers"][0]
    assert said["skills"] == "partly" and said["comment"] == ANSWER["comment"]
    messages = data["your_questions_and_corrections"][0]["messages"]
    assert [m["text"] for m in messages] == [
        "MARKER-2231 the date is wrong.",
        "REPLY-7741 we checked.",
    ]
    erase_candidate(db.session.get(Candidate, cand.id), actor=None)
    commit()
    assert db.session.scalar(select(func.count(CandidateAnswer.id))) == 0
    assert db.session.scalar(select(func.count(FeedbackThread.id))) == 0
    assert db.session.scalar(select(func.count(ThreadMessage.id))) == 0
    # No copy elsewhere: not in the audit trail, not in queued or sent mail.
    from portal.models import Job

    everywhere = json.dumps([e.details for e in db.session.scalars(select(AuditEvent))])
    everywhere += json.dumps([j.payload for j in db.session.scalars(select(Job))])
    for marker in ("MARKER-2231", "REPLY-7741", "dashboard helped"):
        assert marker not in everywhere


# --- the journey report -------------------------------------------------------------------------


def test_the_journey_report_closes_with_what_the_candidate_said(app, cand, released):
    from portal.reports.queries import build_journey_report

    answers.save_answer(
        released,
        answers.AnswerInput(
            gains={g: GainAnswer.YES for g in answers.Gain},
            usefulness=5,
            comment="I finally understood what a STAR answer is.",
        ),
        actor=cand.user,
    )
    commit()
    report = build_journey_report(cand.id)
    assert report.say_shown and report.answered == 1
    assert all(g.yes == 1 for g in report.said)
    assert report.said_words[0].text == "I finally understood what a STAR answer is."
    staff_copy = build_journey_report(cand.id, with_say=False)
    assert not staff_copy.say_shown and staff_copy.said == ()


def test_the_amendment_checkbox_list_names_only_open_corrections(app, cand, released, recruiter):
    question = answers.open_thread(released, ThreadKind.QUESTION, "Q?", actor=cand.user)
    correction = answers.open_thread(
        released, ThreadKind.CORRECTION, "Wrong date.", actor=cand.user
    )
    commit()
    assert [t.id for t in answers.open_corrections(released)] == [correction.id]
    assert question.id not in [t.id for t in answers.open_corrections(released)]


def test_an_unknown_holiday_calendar_stops_the_app_at_start(make_app):
    from portal.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="WORKING_DAYS_CALENDAR='XX-NOPE'"):
        make_app(WORKING_DAYS_CALENDAR="XX-NOPE")


def test_the_journey_pdf_shows_the_candidates_words_to_them_and_not_to_staff(
    client, cand, released, recruiter
):
    from pypdf import PdfReader

    sign_in(client, cand.email)
    client.post(
        f"/my/feedback/{released.id}/answer", data=ANSWER | {"comment": "WORDS-5521 it helped."}
    )

    def text(response) -> str:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return " ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)

    mine = text(client.get(f"/reports/candidates/{cand.id}/journey.pdf"))
    assert "What you told us you gained so far" in mine and "WORDS-5521 it helped." in mine
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    theirs = text(client.get(f"/reports/candidates/{cand.id}/journey.pdf"))
    assert "Selection journey" in theirs or "journey" in theirs.lower()
    assert "WORDS-5521" not in theirs and "What you told us" not in theirs


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Write your message first."),
        ("\u202e\u200b", "Write your message first."),  # nothing visible is nothing
        ("y" * 4001, "Keep this under 4000 characters"),
    ],
)
def test_hostile_thread_messages_get_a_message_and_nothing_is_sent(
    client, cand, released, outbox, text, message
):
    sent = len(outbox.messages())  # the release email
    sign_in(client, cand.email)
    refused = _ask(client, released, text=text)
    assert refused.status_code == 422 and message in refused.text
    assert db.session.scalar(select(func.count(FeedbackThread.id))) == 0
    assert len(outbox.messages()) == sent


def test_control_characters_are_dropped_and_markup_is_text_for_the_recruiter(
    client, cand, released, recruiter
):
    sign_in(client, cand.email)
    _ask(client, released, text="Why <img src=x onerror=alert(1)>\x07 this?")
    thread = db.session.scalar(select(FeedbackThread))
    assert thread.messages[0].body == "Why <img src=x onerror=alert(1)> this?"
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    page = client.get(f"/threads/{thread.id}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_sending_the_answer_twice_at_once_keeps_one_answer(app, cand, released):
    """Two requests that both found no answer yet: the second changes the first's row."""
    data = answers.AnswerInput(gains={g: GainAnswer.YES for g in answers.Gain}, usefulness=3)
    first = CandidateAnswer(
        feedback_id=released.id, candidate_id=cand.id, next_round=GainAnswer.NO,
        referral=GainAnswer.NO, skills=GainAnswer.NO, insight=GainAnswer.NO, usefulness=1,
    )  # fmt: skip
    db.session.add(first)
    commit()
    real = answers.answer_for
    calls = []

    def not_seen_yet(feedback):
        calls.append(1)
        return None if len(calls) == 1 else real(feedback)

    answers.answer_for = not_seen_yet
    try:
        answers.save_answer(released, data, actor=cand.user)
    finally:
        answers.answer_for = real
    commit()
    assert db.session.scalar(select(func.count(CandidateAnswer.id))) == 1
    assert db.session.scalar(select(CandidateAnswer.usefulness)) == 3


def test_reopening_counts_against_the_unresolved_limit(client, cand, released, recruiter):
    sign_in(client, cand.email)
    for n in range(answers.MAX_OPEN_THREADS):
        _ask(client, released, text=f"Question {n}")
    first = db.session.scalars(select(FeedbackThread).order_by(FeedbackThread.id)).first()
    answers.reply(first, "Answered.", actor=recruiter, resolve=True)
    commit()
    _ask(client, released, text="A new one in the free place")
    refused = client.post(f"/my/threads/{first.id}", data={"body": "Reopen"})
    assert refused.status_code == 422 and "write in one of them" in refused.text


def test_the_handler_is_emailed_once_per_wait_not_per_message(
    client, cand, released, recruiter, outbox
):
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    before = len(outbox.messages())
    for n in range(5):
        client.post(f"/my/threads/{thread.id}", data={"body": f"And {n}?"})
    assert len(outbox.messages()) == before
    answers.reply(
        db.session.get(FeedbackThread, thread.id), "Here.", actor=recruiter, resolve=False
    )
    commit()
    client.post(f"/my/threads/{thread.id}", data={"body": "Thanks, one more."})
    to_recruiter = [m for m in outbox.messages() if m["To"] == recruiter.email]
    assert len(to_recruiter) == 2  # the first question, and the wait after the reply


def test_a_ticked_correction_needs_a_change_the_candidate_sees(app, cand, released, recruiter):
    from portal.feedback import services as feedback_services

    thread = answers.open_thread(released, ThreadKind.CORRECTION, "Wrong date.", actor=cand.user)
    commit()
    fb = db.session.get(Feedback, released.id)
    notes_only = factories.scorecard_input(private_notes="Only my notes changed.")
    with pytest.raises(feedback_services.FeedbackError, match="change the candidate sees"):
        feedback_services.amend_feedback(
            fb, notes_only, actor=recruiter, expected_version=fb.lock_version, reason="",
            acknowledged=set(), resolves=[thread.id],
        )  # fmt: skip
    db.session.rollback()
    assert db.session.get(FeedbackThread, thread.id).state is ThreadState.OPEN


def test_an_expired_answer_link_says_answers_are_closed(client, cand, released):
    sign_in(client, cand.email)
    with client.application.test_request_context():
        stale = tokens.make_token(tokens.FEEDBACK_ANSWER, {"f": released.id, "c": cand.id})
    import time

    real = time.time
    try:
        time.time = lambda: real() + 31 * 86400
        page = client.get(f"/my/answer/{stale}").text
    finally:
        time.time = real
    assert "answers to that feedback are closed" in page and "Ask for a new one" not in page


def test_a_reply_to_the_candidate_passes_the_release_check_first(
    client, cand, released, recruiter, outbox
):
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    sent_before = len(outbox.messages())
    risky = "Honestly the other candidate was stronger, and you seemed too old for the team."
    refused = client.post(f"/threads/{thread.id}/reply", data={"body": risky})
    assert refused.status_code == 422
    assert "Release check: 2 things to review" in refused.text
    assert "Other candidates" in refused.text and "Equality Act 2010, s.5" in refused.text
    assert risky in refused.text.replace("&#39;", "'")  # what was typed comes back
    assert db.session.scalar(select(func.count(ThreadMessage.id))) == 1  # only the question
    assert len(outbox.messages()) == sent_before
    keys = re.findall(r'name="acknowledge" value="([^"]+)"', refused.text)
    assert len(keys) == 2
    half = client.post(f"/threads/{thread.id}/reply", data={"body": risky, "acknowledge": keys[:1]})
    assert half.status_code == 422 and "Release check: 1 thing to review" in half.text
    kept = client.post(f"/threads/{thread.id}/reply", data={"body": risky, "acknowledge": keys})
    assert kept.status_code == 302
    assert db.session.scalar(select(func.count(ThreadMessage.id))) == 2


def test_a_finding_across_a_line_break_can_be_kept(client, cand, released, recruiter):
    """The keep-this-wording checkbox survives the form's cleaning of its value, whatever
    the spacing of the flagged words."""
    sign_in(client, cand.email)
    _ask(client, released)
    thread = db.session.scalar(select(FeedbackThread))
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    body = "Thanks for asking. Honestly the other\ncandidates\twere stronger on SQL."
    refused = client.post(f"/threads/{thread.id}/reply", data={"body": body})
    keys = [unescape(k) for k in re.findall(r'name="acknowledge" value="([^"]+)"', refused.text)]
    assert refused.status_code == 422 and keys
    assert all("\n" not in k and "\t" not in k and len(k) < 200 for k in keys)
    kept = client.post(f"/threads/{thread.id}/reply", data={"body": body, "acknowledge": keys})
    assert kept.status_code == 302
