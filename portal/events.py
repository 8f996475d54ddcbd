"""Domain events: what happened, said by the service that did it.

Services send these (blinker signals, as Flask's own); subscribers react — mail the candidate,
render reports, forget cached averages, and later call webhooks — by queuing their work with
`portal.unit_of_work.after_commit`, so nothing leaves the building before the change it is
about has committed. Subscribers connect in `portal/subscribers.py`.

Every signal is sent with the object as sender and keyword arguments as documented here.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# A scorecard's ratings or state changed (saved, submitted, reopened, released, amended);
# sender: the Feedback.
scorecard_changed = _events.signal("scorecard-changed")

# Feedback was released to the candidate, or an amendment of it was; sender: the Feedback;
# amended: bool.
feedback_released = _events.signal("feedback-released")

# A referral or lead moved; sender: the Referral; from_status, to_status: ReferralStatus;
# actor: User | None; email_contact: bool (send the introduction to the contact).
referral_transitioned = _events.signal("referral-transitioned")

# A candidate's reports may be out of date (names, referrals, feedback); sender: candidate id.
candidate_reports_changed = _events.signal("candidate-reports-changed")

# An interview was scheduled (not sent again when it is edited); sender: the Interview;
# actor: User.
interview_created = _events.signal("interview-created")

# A candidate's personal data was erased; sender: the candidate id (the row stays, blanked);
# external: {"source", "id"} the candidate had in another system (both None if none), so
# that system can erase its copy; actor: User | None.
candidate_erased = _events.signal("candidate-erased")

# The candidate answered their released feedback, or changed the answer; sender: the
# CandidateAnswer; comment_changed: bool (a new or changed comment for the recruiter).
candidate_answered = _events.signal("candidate-answered")

# Someone wrote in a question or correction thread (the candidate, or the handler replying);
# sender: the FeedbackThread; message: the ThreadMessage.
thread_message_posted = _events.signal("thread-message-posted")
