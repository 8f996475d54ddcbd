from flask import render_template

from portal.answers import services as answers
from portal.cache import cached_page, home_page
from portal.candidate_portal import services as candidate_portal
from portal.main import bp, services
from portal.models import FeedbackState, Role, utcnow
from portal.permissions import me


@bp.route("/")
@cached_page(home_page, by_minute=True)  # "awaiting feedback", "overdue"
def home():
    """Each role lands on its own page: candidates on their feedback, staff on the dashboard."""
    user = me()
    if user.role is Role.CANDIDATE:
        return render_template("candidate_portal/home.html", **candidate_portal.home_page(user))
    return render_template(
        "main/dashboard.html",
        awaiting=services.awaiting_feedback(user),
        drafts=services.my_feedback(user, FeedbackState.DRAFT),
        submitted=services.my_feedback(user, FeedbackState.SUBMITTED),
        released=services.my_feedback(user, FeedbackState.RELEASED),
        my_averages=services.engagement_averages(user),
        team_averages=services.engagement_averages(None),
        skill_averages=services.role_skill_averages(user),
        counts=services.state_counts(None if user.role is Role.ADMIN else user),
        threads=answers.waiting_for(user),
        overdue_threads=answers.overdue() if user.role is Role.ADMIN else [],
        now=utcnow(),
    )
