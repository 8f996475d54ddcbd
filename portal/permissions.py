"""Who may do what: the one place the portal's access rules live.

- Role gates: every route needs sign-in unless marked `public`; blueprints are gated by role
  (`role_gate`), single views by `allow`.
- Object rules: pure `can_*(user, obj)` predicates, the same for pages, templates (`can(...)`)
  and services. "Staff" is `STAFF`, defined once (in the models, so `User.is_staff` agrees).
- Loading: `load(Model, id, can_x)` answers 404 when the object is missing and 403 when the
  predicate refuses, so a view cannot load an object without checking it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    STAFF,
    SUBMITTED_STATES,
    Candidate,
    Company,
    CompanyKind,
    Feedback,
    FeedbackKind,
    FeedbackState,
    FeedbackThread,
    Interview,
    Job,
    JobStatus,
    Position,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from portal.models.referrals import Party

__all__ = ["STAFF", "Party"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

ERASED_MESSAGE = (
    "This candidate's personal data was erased. The record stays, without it, only so that "
    "statistics add up; it can no longer be changed, invited or interviewed."
)


# --- role gates ------------------------------------------------------------------------------


def public(view: F) -> F:
    """Mark a view as reachable without signing in (everything else requires it)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def allow(*roles: Role) -> Callable[[F], F]:
    """A view only these roles reach (everyone else gets 403); sign-in is already required."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(current_user.is_authenticated and current_user.role in roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def role_gate(*roles: Role) -> Callable[[], None]:
    """A before_request hook for a blueprint that only the given roles may enter."""

    def gate() -> None:
        if not current_user.is_authenticated:
            abort(401)
        require(current_user.role in roles)

    return gate


def me() -> User:
    """The signed-in person, as the model object (not Flask-Login's proxy)."""
    return current_user._get_current_object()


# --- loading with a check ----------------------------------------------------------------------


def load(model: type[T], ident: int, check: Callable[[User, T], bool], *options: Any) -> T:
    """The object of this id (404 when there is none), once `check` allows it for the
    signed-in person (403 otherwise). `options` are loader options for what the page shows."""
    found = db.session.scalar(select(model).where(model.id == ident).options(*options))  # type: ignore[attr-defined]
    if found is None:
        abort(404)
    require(check(me(), found))
    return found


def can(action: str, obj: Any) -> bool:
    """For templates: `can('change_candidate', candidate)` asks can_change_candidate for the
    signed-in person, so a page shows only the buttons that would work."""
    predicate = globals().get(f"can_{action}")
    if predicate is None:
        raise LookupError(f"no permission predicate can_{action}")
    return bool(predicate(current_user, obj))


# --- people ----------------------------------------------------------------------------------


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.role in STAFF


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role is Role.ADMIN


def can_manage_users(user: User, _obj: Any = None) -> bool:
    return is_admin(user)


def can_retry_job(user: User, job: Job) -> bool:
    return is_admin(user) and job.status is JobStatus.FAILED


# --- integrations (API tokens, webhooks, CSV import and export) -------------------------------
# Admin work: each reaches every candidate's data at once, or lets another system in.


def can_manage_release_check(user: User, _obj: Any = None) -> bool:
    """Choosing the release check's jurisdiction packs is an admin's decision."""
    return is_admin(user)


def can_manage_api_tokens(user: User, _token: Any = None) -> bool:
    return is_admin(user)


def can_manage_webhooks(user: User, _endpoint: Any = None) -> bool:
    return is_admin(user)


def can_import(user: User, _run: Any = None) -> bool:
    return is_admin(user)


def can_export(user: User, _obj: Any = None) -> bool:
    return is_admin(user)


# --- candidates and interviews ---------------------------------------------------------------


def is_erased(candidate: Candidate) -> bool:
    return candidate.erased_at is not None


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    """Staff see every candidate of the organisation; a candidate sees only themselves."""
    if is_staff(user):
        return True
    return user.is_authenticated and candidate.user_id == user.id


def can_change_candidate(user: User, candidate: Candidate) -> bool:
    """Staff change a candidate's record (profile, invitation, interviews, scorecards,
    referrals) unless the candidate was erased: an erased record is frozen."""
    return is_staff(user) and not is_erased(candidate)


def can_erase_candidate(user: User, candidate: Candidate) -> bool:
    return is_admin(user) and not is_erased(candidate)


def can_view_interview(user: User, interview: Interview) -> bool:
    return is_staff(user)


def can_change_interview(user: User, interview: Interview) -> bool:
    return can_change_candidate(user, interview.candidate)


# --- scorecards ------------------------------------------------------------------------------


def on_panel(user: User, interview: Interview) -> bool:
    return user.is_authenticated and any(m.user_id == user.id for m in interview.panel)


def has_scored(user: User, interview: Interview) -> bool:
    """This person's own scorecard for the interview is submitted (or released)."""
    return any(
        f.author_id == user.id and f.kind is FeedbackKind.MEMBER and f.state in SUBMITTED_STATES
        for f in interview.feedback
    )


def can_see_panel_scores(user: User, interview: Interview) -> bool:
    """Against anchoring: a panel member — an admin too — reads the others' ratings and text
    only once their own scorecard is submitted. Staff not on the panel read them at any time."""
    if not is_staff(user):
        return False
    if not on_panel(user, interview) or len(interview.panel) < 2:
        return True
    return has_scored(user, interview)


def can_view_feedback(user: User, feedback: Feedback) -> bool:
    """Staff see a scorecard unless they sit on its panel and have not scored yet: not the
    other members' scorecards, nor the panel's feedback written from them (their own, always).
    The candidate sees theirs, once released."""
    if is_staff(user):
        if feedback.author_id == user.id and feedback.kind is FeedbackKind.MEMBER:
            return True
        return can_see_panel_scores(user, feedback.interview)
    return (
        user.is_authenticated
        and feedback.state is FeedbackState.RELEASED
        and feedback.interview.candidate.user_id == user.id
    )


def can_view_private_notes(user: User, feedback: Feedback) -> bool:
    """Private notes are their author's, and admins'; not the rest of the panel's. The panel's
    feedback is the lead's to write, private notes included."""
    if is_admin(user) or (user.is_authenticated and feedback.author_id == user.id):
        return True
    return feedback.kind is FeedbackKind.PANEL and can_edit_feedback(user, feedback)


def can_edit_feedback(user: User, feedback: Feedback) -> bool:
    """The author or an admin edits a scorecard; the panel's feedback is the lead's (whoever
    leads now) or an admin's — each only when they may read it (a member who has not scored
    may not, admins included). Never while the candidate's record is frozen by erasure."""
    if not user.is_authenticated or is_erased(feedback.interview.candidate):
        return False
    if feedback.kind is FeedbackKind.PANEL:
        allowed = user.role is Role.ADMIN or feedback.interview.interviewer_id == user.id
    else:
        allowed = user.role is Role.ADMIN or feedback.author_id == user.id
    return allowed and can_view_feedback(user, feedback)


def can_score(user: User, interview: Interview) -> bool:
    """Each panel member (with an active staff account) scores the interview."""
    return is_staff(user) and user.active and on_panel(user, interview)


def can_start_feedback(user: User, interview: Interview) -> bool:
    """A member writes a scorecard of their own, unless the candidate's record is erased."""
    return can_score(user, interview) and not is_erased(interview.candidate)


def can_debrief(user: User, interview: Interview) -> bool:
    """The debrief is the lead's and admins' page (a panel of one has none). What it shows
    follows `can_see_panel_scores`: who has submitted always, the scores once one's own is in."""
    if len(interview.panel) < 2 or not is_staff(user):
        return False
    return is_admin(user) or interview.interviewer_id == user.id


def can_write_panel_feedback(user: User, interview: Interview) -> bool:
    return (
        can_debrief(user, interview)
        and can_see_panel_scores(user, interview)
        and not is_erased(interview.candidate)
    )


def can_manage_panel(user: User, interview: Interview) -> bool:
    """Staff who change the interview choose its panel, until feedback is released."""
    return can_change_interview(user, interview) and not has_released(interview)


def has_released(interview: Interview) -> bool:
    """Feedback from this interview has reached the candidate: its panel is fixed."""
    return any(f.state is FeedbackState.RELEASED for f in interview.feedback)


# --- companies and the partner directory -----------------------------------------------------


def can_manage_companies(user: User, _company: Company | None = None) -> bool:
    return is_staff(user)


def can_manage_position(user: User, position: Position) -> bool:
    return can_manage_companies(user, position.company)


# --- scorecard templates -----------------------------------------------------------------------


def can_view_templates(user: User, _template: Any = None) -> bool:
    return is_staff(user)


def can_edit_template(user: User, _template: Any = None) -> bool:
    """Recruiters and admins write templates: an edit is a new version, so no scorecard
    already started, and nothing released, changes."""
    return is_staff(user) and user.active


def can_archive_template(user: User, _template: Any = None) -> bool:
    """Admins curate the library: archiving takes a template off the positions' list."""
    return is_admin(user)


def can_manage_partners(user: User, _company: Company | None = None) -> bool:
    """Admins keep the partner directory (and confirm the contacts recruiters suggest)."""
    return is_admin(user)


def can_manage_contact(user: User, _contact: Any = None) -> bool:
    return can_manage_partners(user)


def can_suggest_contact(user: User, company: Company) -> bool:
    return is_staff(user) and company.kind is CompanyKind.PARTNER and company.active


# --- referrals and leads ---------------------------------------------------------------------


def parties_of(actor: User | None, referral: Referral) -> frozenset[Party]:
    """The capacities in which this person (or the system, for None) acts on the referral:
    the pipeline's moves are allowed per party (portal/referrals/pipeline.py)."""
    if actor is None:
        return frozenset({Party.SYSTEM})
    if not actor.active:
        return frozenset()
    parties = set()
    if actor.role is Role.ADMIN:
        parties.add(Party.ADMIN)
    if actor.role in STAFF:
        if referral.owner_id == actor.id:
            parties.add(Party.OWNER)
        if referral.proposed_by_id == actor.id:
            parties.add(Party.PROPOSER)
    if actor.role is Role.CANDIDATE and referral.candidate.user_id == actor.id:
        parties.add(Party.CANDIDATE)
    return frozenset(parties)


def can_view_referral(user: User, referral: Referral) -> bool:
    return is_staff(user)


def can_follow_up(user: User, referral: Referral) -> bool:
    return bool({Party.ADMIN, Party.OWNER, Party.PROPOSER} & parties_of(user, referral))


def can_assign_owner(user: User, referral: Referral) -> bool:
    return Party.ADMIN in parties_of(user, referral)


def can_propose_for(user: User, candidate: Candidate) -> bool:
    return can_change_candidate(user, candidate) and user.active


def can_answer_offer(user: User, referral: Referral) -> bool:
    """The candidate answers an offer in their portal, once an admin has approved it."""
    return Party.CANDIDATE in parties_of(user, referral) and referral.status in (
        ReferralStatus.APPROVED,
    )


# --- the candidate's say: answers, questions and corrections, the measure --------------------


def handler_id(feedback: Feedback) -> int:
    """Who answers the candidate about this feedback: its author, or for the panel's feedback
    the interview's lead (whoever leads now)."""
    if feedback.kind is FeedbackKind.PANEL:
        return feedback.interview.interviewer_id
    return feedback.author_id


def can_answer_feedback(user: User, feedback: Feedback) -> bool:
    """The candidate answers their own released feedback (the 30-day window is a rule of the
    service, which says why when it is closed)."""
    return (
        user.is_authenticated
        and user.role is Role.CANDIDATE
        and feedback.state is FeedbackState.RELEASED
        and feedback.interview.candidate.user_id == user.id
        and not is_erased(feedback.interview.candidate)
    )


def can_view_thread(user: User, thread: FeedbackThread) -> bool:
    """The candidate who opened it, its handler and admins: not the rest of the team."""
    if user.is_authenticated and user.role is Role.CANDIDATE:
        return thread.candidate.user_id == user.id and not is_erased(thread.candidate)
    return is_admin(user) or (is_staff(user) and handler_id(thread.feedback) == user.id)


def can_reply_thread(user: User, thread: FeedbackThread) -> bool:
    """Staff who may read the thread reply to it, while the candidate's record is not erased."""
    return (
        is_staff(user)
        and user.active
        and can_view_thread(user, thread)
        and not is_erased(thread.candidate)
    )


def can_view_measure(user: User, _obj: Any = None) -> bool:
    """The "Better off" measure: aggregates only, small groups hidden; for all staff."""
    return is_staff(user)


def can_view_candidate_say(user: User, feedback: Feedback) -> bool:
    """The candidate's comment and threads on a feedback: its handler and admins."""
    return is_admin(user) or (is_staff(user) and handler_id(feedback) == user.id)
