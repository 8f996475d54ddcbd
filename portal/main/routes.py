from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.main import bp
from portal.models import Candidate, Feedback, FeedbackState, Interview, Role, User


@bp.route("/")
def home():
    """Each role lands on its own page."""
    if current_user.role is Role.CANDIDATE:
        return candidate_home()
    counts = dict(
        db.session.execute(select(Feedback.state, func.count()).group_by(Feedback.state)).all()
    )
    return render_template(
        "main/staff_home.html",
        candidate_count=db.session.scalar(select(func.count()).select_from(Candidate)),
        interview_count=db.session.scalar(select(func.count()).select_from(Interview)),
        user_count=db.session.scalar(select(func.count()).select_from(User)),
        feedback_counts={state: counts.get(state, 0) for state in FeedbackState},
    )


def candidate_home():
    candidate = db.session.scalar(select(Candidate).where(Candidate.user_id == current_user.id))
    return render_template("main/candidate_home.html", candidate=candidate)
