"""What each webhook event tells the receiving system: ids, and what the candidate may see.

Every payload is the `data` of the envelope `{"type", "timestamp", "data"}` (see delivery.py).
Records are named by BetterOff's id and, when another system created them, by that system's
`external_source` and `external_id`, so an ATS can match them to its own. Nothing here ever
carries private notes, answers to internal questions, rating adjustments or their reasons,
scores, names, emails or free text written about the candidate: a receiver that needs the
released feedback reads it through the API (`links.feedback`), with a token and its scope.

- `feedback.released` / `feedback.amended` — `feedback`: id, revision (1 on release, 2+ for
  amendments), amended, released_at (first release), revised_at (this revision), decision
  (invite / hold / decline or null) and decision_text (the words the candidate reads);
  `interview`: id, stage, external ids; `candidate` and `position`: id, external ids;
  `links.feedback`: the API path of the released feedback.
- `referral.transitioned` — `referral`: id, kind (referral / lead), lead_kind, from_status,
  to_status, at; `candidate`: id, external ids; `company`: id, external ids (or null).
- `interview.created` — `interview`: id, stage, format, scheduled_at, duration_minutes, external
  ids; `candidate` and `position`: id, external ids.
- `candidate.erased` — `candidate`: id and the external ids it had before erasure, so the other
  system can erase its copy.
- `webhook.test` — `endpoint_id` and a note: sent from the admin page to try a receiver.

Times are ISO 8601 in UTC with a "Z".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.models import Candidate, Company, Feedback, Interview, Position, Referral
from portal.models.referrals import ReferralStatus
from portal.reports.wording import decision_wording

API_FEEDBACK_PATH = "/api/v1/feedback/{id}"


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) moment as ISO 8601 with its zone said."""
    if moment is None:
        return None
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _ref(obj: Candidate | Company | Position | Interview | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.id, "external_source": obj.external_source, "external_id": obj.external_id}


def feedback_released(feedback: Feedback, *, amended: bool) -> dict[str, Any]:
    """Released (or amended) feedback: ids and the decision as the candidate reads it."""
    revision = feedback.revisions[-1] if feedback.revisions else None
    # What the candidate sees is the frozen revision, not the scorecard's working copy.
    decision = revision.content.get("decision") if revision else None
    interview = feedback.interview
    return {
        "feedback": {
            "id": feedback.id,
            "revision": revision.number if revision else None,
            "amended": amended,
            "released_at": iso(feedback.released_at),
            "revised_at": iso(revision.released_at) if revision and amended else None,
            "decision": decision,
            "decision_text": decision_wording(decision),
        },
        "interview": {**_ref(interview), "stage": interview.stage.value},  # type: ignore[dict-item]
        "candidate": _ref(interview.candidate),
        "position": _ref(interview.position),
        "links": {"feedback": API_FEEDBACK_PATH.format(id=feedback.id)},
    }


def referral_transitioned(
    referral: Referral, *, from_status: ReferralStatus | None, to_status: ReferralStatus
) -> dict[str, Any]:
    """A referral or lead moved along its pipeline."""
    return {
        "referral": {
            "id": referral.id,
            "kind": referral.kind.value,
            "lead_kind": referral.lead_kind.value if referral.lead_kind else None,
            "from_status": from_status.value if from_status else None,
            "to_status": to_status.value,
            "at": iso(referral.status_changed_at),
        },
        "candidate": _ref(referral.candidate),
        "company": _ref(referral.company),
    }


def interview_created(interview: Interview) -> dict[str, Any]:
    """An interview was scheduled."""
    return {
        "interview": {
            **_ref(interview),  # type: ignore[dict-item]
            "stage": interview.stage.value,
            "format": interview.format.value,
            "scheduled_at": iso(interview.scheduled_at),
            "duration_minutes": interview.duration_minutes,
        },
        "candidate": _ref(interview.candidate),
        "position": _ref(interview.position),
    }


def candidate_erased(candidate_id: int, external: dict[str, Any] | None) -> dict[str, Any]:
    """A candidate's personal data was erased here: the other system may erase its copy."""
    external = external or {}
    return {
        "candidate": {
            "id": candidate_id,
            "external_source": external.get("source"),
            "external_id": external.get("id"),
        }
    }


def test_event(endpoint_id: int) -> dict[str, Any]:
    """What "Send test event" sends: nothing about anyone."""
    return {"endpoint_id": endpoint_id, "note": "A test event from BetterOff's admin pages."}


ERASED: dict[str, Any] = {"erased": True}
