"""The release check as the portal runs it: portal/release_check/screening.py's rules with the
jurisdiction packs an admin chose (Admin > Release check; all of them until someone chooses).

Every place that screens candidate-facing text — the forms, the release and amendment steps,
referral notes, replies to candidates, template questions, the API and `flask feedback
screen` — goes through `findings` or `check` here, so they all give the same result."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from portal import audit
from portal.extensions import db
from portal.models import Setting, User
from portal.release_check import screening
from portal.release_check.screening import Finding, Pack
from portal.unit_of_work import DomainError

PACKS_KEY = "release_check.packs"


class PackChoiceError(DomainError):
    field = "packs"


def choosable_packs() -> tuple[Pack, ...]:
    """The packs an admin may choose between, in the rules file's order."""
    return screening.default_rulebook().choosable


def all_packs() -> tuple[Pack, ...]:
    """Every pack, the good-practice ones that always apply included."""
    return tuple(screening.default_rulebook().packs.values())


def ground_labels() -> dict[str, str]:
    """Ground id -> the label findings show."""
    return dict(screening.default_rulebook().grounds)


def unknown_packs(pack_ids: Collection[str]) -> list[str]:
    """Those of `pack_ids` that name no pack an admin can choose, sorted."""
    return sorted(set(pack_ids) - {pack.id for pack in choosable_packs()})


def chosen_packs() -> tuple[str, ...]:
    """The ids of the packs that apply now (never empty: all of them by default)."""
    valid = [pack.id for pack in choosable_packs()]
    setting = db.session.get(Setting, PACKS_KEY)
    stored = setting.value if setting is not None and isinstance(setting.value, list) else []
    return tuple(p for p in valid if p in stored) or tuple(valid)


def choose_packs(pack_ids: Collection[str], *, actor: User) -> tuple[str, ...]:
    """Apply these packs from now on; at least one, all known. Audited."""
    valid = [pack.id for pack in choosable_packs()]
    unknown = unknown_packs(pack_ids)
    if unknown:
        raise PackChoiceError(f"Unknown pack: {', '.join(unknown)}.")
    chosen = [p for p in valid if p in set(pack_ids)]
    if not chosen:
        raise PackChoiceError("Choose at least one pack: the release check needs a law to apply.")
    setting = db.session.get(Setting, PACKS_KEY)
    before = list(setting.value) if setting is not None else valid
    if setting is None:
        setting = Setting(key=PACKS_KEY, value=chosen)
        db.session.add(setting)
    setting.value = chosen
    setting.updated_by_id = actor.id
    audit.record("release_check_packs_changed", actor=actor, before=before, after=chosen)
    return tuple(chosen)


def packs_for(asked: Collection[str] | None) -> tuple[str, ...]:
    """The packs a screen applies: those asked for (CLI, API), else the admins' choice; with
    the packs that always apply."""
    return screening.default_rulebook().checked(asked or chosen_packs())


def findings(
    texts: Mapping[str, str | None], packs: Collection[str] | None = None
) -> list[Finding]:
    """What the release check finds in these candidate-facing texts, keyed by field, with
    the admins' packs unless others are given."""
    return screening.screen_fields(texts, packs or chosen_packs())


def check(texts: Mapping[str, str | None], acknowledged: Collection[str]) -> list[Finding]:
    """The gate: the findings once each is acknowledged; UnacknowledgedFindings otherwise."""
    return screening.check_release(texts, acknowledged, chosen_packs())
