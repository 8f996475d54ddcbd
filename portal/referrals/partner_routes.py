"""Admin pages of the partner directory: partner companies, contacts, suggested contacts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from portal.models import Company, CompanyKind, PartnerContact, Role
from portal.permissions import allow, can_manage_contact, can_manage_partners, load, me
from portal.referrals import bp, partners
from portal.referrals.forms import ContactDecisionForm, ContactForm, PartnerForm
from portal.unit_of_work import attempt


def load_partner(company_id: int) -> Company:
    """A partner company; a hiring client is not one here (404: managed on company pages)."""
    company = load(
        Company,
        company_id,
        can_manage_partners,
        selectinload(Company.contacts).joinedload(PartnerContact.suggested_by),
    )
    if company.kind is not CompanyKind.PARTNER:
        abort(404)
    return company


def load_contact(contact_id: int) -> PartnerContact:
    contact = load(
        PartnerContact, contact_id, can_manage_contact, joinedload(PartnerContact.company)
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
        with attempt(form) as outcome:
            company = partners.save_partner(
                company,
                actor=me(),
                name=form.name.data,
                website=form.website.data,
                notes=form.notes.data,
                active=form.active.data,
            )
        if not outcome.refused:
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
        with attempt(form) as outcome:
            contact = partners.add_contact(company, form.to_input(), actor=me())
        if not outcome.refused:
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
        with attempt(form) as outcome:
            partners.update_contact(contact, form.to_input(), actor=me())
        if not outcome.refused:
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
        with attempt() as outcome:
            (partners.confirm_contact if confirm else partners.reject_contact)(contact, actor=me())
        if not outcome.refused:
            flash(
                f"{contact.name} is confirmed and can be picked for referrals."
                if confirm
                else f"{contact.name} was turned down and cannot be picked.",
                "success",
            )
    return redirect(url_for("referrals.partners_index"))
