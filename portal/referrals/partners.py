"""The partner directory: partner companies and the named contacts referrals go to.

Admins add and edit contacts directly (they are confirmed at once). Recruiters may
suggest a contact; a suggestion stays unconfirmed, and cannot be picked for a referral,
until an admin confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.auth.services import normalise_email
from portal.companies.services import CompanyError, save_company
from portal.extensions import db
from portal.models import Company, CompanyKind, PartnerContact, Referral, Role, User
from portal.referrals.pipeline import ReferralError

__all__ = ["CompanyError", "ContactError", "ContactInput"]


class ContactError(ReferralError):
    """The message is safe to show next to the contact form."""


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str
    role_title: str | None = None
    notes: str | None = None
    active: bool = True


def partner_companies() -> list[Company]:
    """Every partner company with its contacts (two queries), by name."""
    return list(
        db.session.scalars(
            select(Company)
            .where(Company.kind == CompanyKind.PARTNER)
            .options(selectinload(Company.contacts))
            .order_by(func.lower(Company.name))
        )
    )


def active_partners() -> list[Company]:
    return list(
        db.session.scalars(
            select(Company)
            .where(Company.kind == CompanyKind.PARTNER, Company.active.is_(True))
            .order_by(func.lower(Company.name))
        )
    )


def pending_suggestions() -> list[PartnerContact]:
    """Contacts suggested by recruiters that an admin has not confirmed or turned down."""
    return list(
        db.session.scalars(
            select(PartnerContact)
            .where(PartnerContact.confirmed.is_(False), PartnerContact.active.is_(True))
            .options(joinedload(PartnerContact.company), joinedload(PartnerContact.suggested_by))
            .order_by(PartnerContact.created_at, PartnerContact.id)
        )
    )


def referral_counts(company_ids: list[int]) -> dict[int, int]:
    if not company_ids:
        return {}
    rows = db.session.execute(
        select(Referral.company_id, func.count())
        .where(Referral.company_id.in_(company_ids))
        .group_by(Referral.company_id)
    )
    return dict(rows.all())


def save_partner(company: Company | None, *, actor: User, **fields) -> Company:
    """Create or edit a partner company (the companies service keeps names unique)."""
    _require_admin(actor)
    if company is not None and company.kind is not CompanyKind.PARTNER:
        raise CompanyError("This company is a hiring client, not a partner.")
    return save_company(company, actor=actor, kind=CompanyKind.PARTNER.value, **fields)


def add_contact(company: Company, data: ContactInput, *, actor: User) -> PartnerContact:
    """An admin adds a contact: confirmed at once."""
    _require_admin(actor)
    return _create(company, data, actor=actor, confirmed=True)


def suggest_contact(company: Company, data: ContactInput, *, actor: User) -> PartnerContact:
    """A recruiter suggests a contact; it is pickable once an admin confirms it."""
    if not actor.is_staff:
        raise ContactError("Only recruiters and admins suggest contacts.")
    if company.kind is not CompanyKind.PARTNER or not company.active:
        raise ContactError("Choose an active partner company.")
    contact = _create(company, data, actor=actor, confirmed=actor.role is Role.ADMIN)
    return contact


def _create(
    company: Company, data: ContactInput, *, actor: User, confirmed: bool
) -> PartnerContact:
    if company.kind is not CompanyKind.PARTNER:
        raise ContactError("Contacts belong to partner companies.")
    email = normalise_email(data.email)
    _refuse_clash(company, email, None)
    contact = PartnerContact(
        company=company,
        name=data.name.strip(),
        email=email,
        role_title=(data.role_title or "").strip() or None,
        notes=(data.notes or "").strip() or None,
        active=data.active,
        confirmed=confirmed,
        suggested_by_id=None if confirmed and actor.role is Role.ADMIN else actor.id,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "partner_contact_created" if confirmed else "partner_contact_suggested",
        contact,
        actor=actor,
        company_id=company.id,
    )
    return contact


def update_contact(contact: PartnerContact, data: ContactInput, *, actor: User) -> None:
    _require_admin(actor)
    email = normalise_email(data.email)
    _refuse_clash(contact.company, email, contact.id)
    contact.name = data.name.strip()
    contact.email = email
    contact.role_title = (data.role_title or "").strip() or None
    contact.notes = (data.notes or "").strip() or None
    contact.active = data.active
    db.session.flush()
    audit.record("partner_contact_updated", contact, actor=actor)


def confirm_contact(contact: PartnerContact, *, actor: User) -> None:
    _require_admin(actor)
    if contact.confirmed:
        raise ContactError(f"{contact.name} is already confirmed.")
    if not contact.active:
        raise ContactError(f"{contact.name} was turned down; reactivate them first.")
    contact.confirmed = True
    db.session.flush()
    audit.record("partner_contact_confirmed", contact, actor=actor)


def reject_contact(contact: PartnerContact, *, actor: User) -> None:
    """Turn a suggestion down: it stays on record, inactive and unconfirmed."""
    _require_admin(actor)
    if contact.confirmed:
        raise ContactError(f"{contact.name} is confirmed; deactivate them from the edit page.")
    contact.active = False
    db.session.flush()
    audit.record("partner_contact_rejected", contact, actor=actor)


def _refuse_clash(company: Company, email: str, contact_id: int | None) -> None:
    clash = db.session.scalar(
        select(PartnerContact.id).where(
            PartnerContact.company_id == company.id,
            PartnerContact.email == email,
            PartnerContact.id != (contact_id or -1),
        )
    )
    if clash is not None:
        raise ContactError(
            f"{company.name} already has a contact with the email {email}.", field="email"
        )


def _require_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise ContactError("Only an admin manages the partner directory.")


def pickable_contacts() -> list[PartnerContact]:
    """Contacts a recruiter may pick: confirmed, active, at an active partner company."""
    return list(
        db.session.scalars(
            select(PartnerContact)
            .join(PartnerContact.company)
            .where(
                PartnerContact.confirmed.is_(True),
                PartnerContact.active.is_(True),
                Company.active.is_(True),
                Company.kind == CompanyKind.PARTNER,
            )
            .options(joinedload(PartnerContact.company))
            .order_by(Company.name, PartnerContact.name)
        )
    )


def lead_companies() -> list[Company]:
    """Companies a lead may point to: any active company, partner or hiring client."""
    return list(
        db.session.scalars(select(Company).where(Company.active.is_(True)).order_by(Company.name))
    )
