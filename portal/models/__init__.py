"""Typed SQLAlchemy models, split by feature; import them from here."""

from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.feedback import (
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackRevision,
    FeedbackState,
    Rating,
    ReleaseAcknowledgement,
)
from portal.models.recruiting import (
    Candidate,
    Company,
    CompanyKind,
    Interview,
    InterviewFormat,
    PanelMember,
    PartnerContact,
    Position,
    Stage,
)
from portal.models.referrals import (
    CLOSED_STATUSES,
    VISIBLE_STATUSES,
    LeadKind,
    Party,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
)
from portal.models.reports import Job, JobStatus, Report, ReportDownload, ReportKind
from portal.models.users import STAFF, DigestSend, Role, User, UserSession

__all__ = [
    "STAFF",
    "VISIBLE_STATUSES",
    "CLOSED_STATUSES",
    "AuditEvent",
    "Base",
    "Candidate",
    "Company",
    "CompanyKind",
    "Decision",
    "DigestSend",
    "Dimension",
    "Feedback",
    "FeedbackKind",
    "FeedbackRevision",
    "FeedbackState",
    "Interview",
    "InterviewFormat",
    "Job",
    "JobStatus",
    "LeadKind",
    "PanelMember",
    "PartnerContact",
    "Party",
    "Position",
    "Rating",
    "Referral",
    "ReferralKind",
    "ReferralStatus",
    "ReferralTransition",
    "ReleaseAcknowledgement",
    "Report",
    "ReportDownload",
    "ReportKind",
    "Role",
    "Stage",
    "User",
    "UserSession",
    "utcnow",
]
