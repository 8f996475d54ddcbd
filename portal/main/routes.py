from flask import render_template
from flask_login import current_user

from portal.candidate_portal import routes as candidate_portal
from portal.main import bp, services
from portal.models import FeedbackState, Role


@bp.route("/")
def home():
    """Each role lands on its own page."""
    if current_user.role is Role.CANDIDATE:
        return candidate_portal.home()
    user = current_user._get_current_object()
    return render_template(
        "main/dashboard.html",
        awaiting=services.awaiting_feedback(user),
        drafts=services.my_feedback(user, FeedbackState.DRAFT),
        submitted=services.my_feedback(user, FeedbackState.SUBMITTED),
        released=services.my_feedback(user, FeedbackState.RELEASED),
        my_averages=services.engagement_averages(user),
        team_averages=services.engagement_averages(None),
        counts=services.state_counts(None if user.role is Role.ADMIN else user),
    )
