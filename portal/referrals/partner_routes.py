"""Admin pages of the partner directory: partner companies, contacts, suggested contacts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Company, CompanyKind, PartnerContact, Role
from portal.referrals import bp, partners
from portal.referrals.access import allow, me
from portal.referrals.forms import ContactDecisionForm, ContactForm, PartnerForm
from portal.referrals.pipeline import ReferralError


def load_partner(company_id: int) -> Company:
    company = db.first_or_404(
        select(Company)
        .where(Company.id == company_id)
        .options(selectinload(Company.contacts).joinedload(PartnerContact.suggested_by))
    )
    if company.kind is not CompanyKind.PARTNER:
        abort(404)  # hiring clients are managed on the companies pages
    return company


def load_contact(contact_id: int) -> PartnerContact:
    contact = db.first_or_404(
        select(PartnerContact)
        .where(PartnerContact.id == contact_id)
        .options(joinedload(PartnerContact.company))
    )
    if contact.company.kind is not CompanyKind.PARTNER:
        abort(404)
    return contact


@bp.route("/admin/partners")
@allow(Role.ADMIN)
def partners_index():
    companies = partners.partner_companies()
    return render_template(
        "referrals/partners.html",
        companies=companies,
        suggestions=partners.pending_suggestions(),
        counts=partners.referral_counts([c.id for c in companies]),
    )


@bp.route("/admin/partners/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_partner():
    return _partner_form(None)


@bp.route("/admin/partners/<int:company_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_partner(company_id: int):
    return _partner_form(load_partner(company_id))


def _partner_form(company: Company | None):
    form = PartnerForm(obj=company)
    if form.validate_on_submit():
        try:
            company = partners.save_partner(
                company,
                actor=me(),
                name=form.name.data,
                website=form.website.data,
                notes=form.notes.data,
                active=form.active.data,
            )
        except (ReferralError, partners.CompanyError) as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"{company.name} saved.", "success")
            return redirect(url_for("referrals.partner", company_id=company.id))
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template("referrals/partner_form.html", form=form, company=company)


@bp.route("/admin/partners/<int:company_id>")
@allow(Role.ADMIN)
def partner(company_id: int):
    return render_template("referrals/partner.html", company=load_partner(company_id))


@bp.route("/admin/partners/<int:company_id>/contacts/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_contact(company_id: int):
    company = load_partner(company_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact = partners.add_contact(company, form.to_input(), actor=me())
        except ReferralError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"{contact.name} added to {company.name}.", "success")
            return redirect(url_for("referrals.partner", company_id=company.id))
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template("referrals/contact_form.html", form=form, company=company, contact=None)


@bp.route("/admin/partners/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_contact(contact_id: int):
    contact = load_contact(contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            partners.update_contact(contact, form.to_input(), actor=me())
        except ReferralError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"{contact.name} saved.", "success")
            return redirect(url_for("referrals.partner", company_id=contact.company_id))
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template(
        "referrals/contact_form.html", form=form, company=contact.company, contact=contact
    )


@bp.route("/admin/partners/contacts/<int:contact_id>/confirm", methods=["POST"])
@allow(Role.ADMIN)
def confirm_contact(contact_id: int):
    return _decide(contact_id, confirm=True)


@bp.route("/admin/partners/contacts/<int:contact_id>/reject", methods=["POST"])
@allow(Role.ADMIN)
def reject_contact(contact_id: int):
    return _decide(contact_id, confirm=False)


def _decide(contact_id: int, *, confirm: bool):
    contact = load_contact(contact_id)
    form = ContactDecisionForm()
    if not form.validate_on_submit():
        flash("Your form expired; please try again.", "error")
    elif not confirm and not form.sure.data:
        flash(f"Tick the box to confirm that you are turning {contact.name} down.", "error")
    else:
        try:
            (partners.confirm_contact if confirm else partners.reject_contact)(contact, actor=me())
        except ReferralError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                f"{contact.name} is confirmed and can be picked for referrals."
                if confirm
                else f"{contact.name} was turned down and cannot be picked.",
                "success",
            )
    return redirect(url_for("referrals.partners_index"))
