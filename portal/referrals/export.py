"""CSV export of the filtered board, safe to open in a spreadsheet.

Cells are defused by `portal.spreadsheet.safe_cell` (a leading quote before =, +, -, @ …),
as every export is. One query, streamed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Candidate, Company, PartnerContact, Referral, User, utcnow
from portal.referrals.board import BoardFilters, filtered
from portal.spreadsheet import safe_cell

HEADER = (
    "id",
    "kind",
    "lead kind",
    "status",
    "candidate",
    "candidate email",
    "company",
    "contact",
    "contact role",
    "role",
    "market",
    "note to candidate",
    "proposed by",
    "owner",
    "follow up on",
    "overdue",
    "proposed at",
    "status changed at",
)


def export_query(filters: BoardFilters) -> Select:
    proposer, owner = aliased(User), aliased(User)
    ids = filtered(filters).with_only_columns(Referral.id).subquery()
    return (
        select(
            Referral.id,
            Referral.kind,
            Referral.lead_kind,
            Referral.status,
            Candidate.name,
            Candidate.email,
            Company.name,
            PartnerContact.name,
            PartnerContact.role_title,
            Referral.role_title,
            Referral.market,
            Referral.note_to_candidate,
            proposer.name,
            owner.name,
            Referral.follow_up_on,
            Referral.created_at,
            Referral.status_changed_at,
        )
        .join(Candidate, Candidate.id == Referral.candidate_id)
        .join(proposer, proposer.id == Referral.proposed_by_id)
        .outerjoin(owner, owner.id == Referral.owner_id)
        .outerjoin(Company, Company.id == Referral.company_id)
        .outerjoin(PartnerContact, PartnerContact.id == Referral.contact_id)
        .where(Referral.id.in_(select(ids.c.id)))
        .order_by(Referral.id)
    )


def rows(filters: BoardFilters, today: date | None = None) -> Iterator[list[str]]:
    today = today or utcnow().date()
    result = db.session.execute(export_query(filters), execution_options={"yield_per": 500})
    for row in result:
        (rid, kind, lead_kind, status, cand, cand_email, company, contact, contact_role, role,
         market, note, proposed_by, owner, follow_up, created, changed) = row  # fmt: skip
        overdue = status.is_open and follow_up is not None and follow_up < today
        yield [
            safe_cell(v)
            for v in (
                rid, kind.value, lead_kind.value if lead_kind else None, status.value, cand,
                cand_email, company, contact, contact_role, role, market, note, proposed_by,
                owner, follow_up, "yes" if overdue else "no", created, changed,
            )
        ]  # fmt: skip


def stream_csv(lines: Iterable[list[str]]) -> Iterator[str]:
    """The header and then each row, as CSV text chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow(line)
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
