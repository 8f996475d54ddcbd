"""Jurisdiction packs: each pack, on each of its grounds, flags a risky use and passes a
harmless use of the same words, and names the ground and the law it cites."""

from __future__ import annotations

import pytest

from portal.release_check.screening import default_rulebook, screen_text

# ground -> (risky wording, harmless wording that borrows its words)
GROUND_CASES: dict[str, tuple[str, str]] = {
    "age": (
        "She seemed a little old for such a fast-moving team.",
        "The billing system is old and the team wants to replace it.",
    ),
    "disability": (
        "Being in a wheelchair would make the site visits hard for him.",
        "You designed the booking flow so wheelchair users can filter step-free venues.",
    ),
    "health": (
        "He mentioned his depression, which worries us for an on-call role.",
        "You explained how the recession's depression of demand hit the forecast.",
    ),
    "pregnancy": (
        "As she is pregnant, the timing of the start date is difficult.",
        "You asked how our parental leave policy works for new starters.",
    ),
    "family": (
        "With two small children at home, the travel may be too much for her.",
        "You explained how child nodes inherit permissions from the parent folder.",
    ),
    "marital": (
        "Her husband works abroad, so we doubt she would stay long.",
        "You were a little married to your first design and slow to consider others.",
    ),
    "sex": (
        "We would prefer a man for this client-facing role.",
        "You handled the male-to-female adapter question on the hardware rig well.",
    ),
    "sexual-orientation": (
        "He mentioned his boyfriend, and the client is quite conservative.",
        "You asked sensible questions about the orientation week for new starters.",
    ),
    "gender-identity": (
        "Since they are non-binary, some clients might feel awkward.",
        "You explained the transition from the old stack to the new one clearly.",
    ),
    "race": (
        "Our clients prefer someone with a fair complexion for this role.",
        "You chose a colour palette with enough contrast for the dashboard.",
    ),
    "national-origin": (
        "We need a native English speaker for this role.",
        "You built native mobile apps for both platforms.",
    ),
    "immigration": (
        "He would need visa sponsorship, which we would rather avoid.",
        "You built the visa application tracker for our travel product.",
    ),
    "religion": (
        "Her headscarf might put off some of our more traditional clients.",
        "You kept faith with the test plan even when the deadline moved.",
    ),
    "appearance": (
        "Your tattoos were distracting during the presentation.",
        "You presented the design with clear slides and a well-paced demo.",
    ),
    "military": (
        "As a reservist he might be called up at short notice.",
        "You described the deployment pipeline and how releases reach production.",
    ),
    "union": (
        "He mentioned being a union rep at his last job, which is a concern for us.",
        "You computed the union of the two sets in linear time.",
    ),
    "genetic": (
        "Her family history of heart disease is a concern for a demanding role.",
        "You explained the history of the project and why the design changed.",
    ),
    "culture-fit": (
        "Honestly, not a culture fit for us.",
        "You asked good questions about our culture of code review.",
    ),
    "comparison": (
        "Another candidate gave a much stronger answer to the design question.",
        "You compared two candidate designs for the API and chose the simpler one.",
    ),
    "vague": (
        "It just didn't feel right.",
        "Your answer on retries felt rushed: you did not say what happens after the third.",
    ),
}

BOOK = default_rulebook()
PACK_GROUNDS = [
    (pack.id, ground) for pack in BOOK.packs.values() for ground in sorted(pack.grounds)
]


def _one_pack(pack_id: str) -> list[str]:
    """Screening with this pack alone (good practice always comes along)."""
    return [pack_id] if not BOOK.packs[pack_id].always else []


def test_every_ground_of_every_pack_has_cases():
    assert {ground for _, ground in PACK_GROUNDS} == set(GROUND_CASES) == set(BOOK.grounds)


@pytest.mark.parametrize(("pack_id", "ground"), PACK_GROUNDS, ids=lambda v: v)
def test_each_pack_flags_the_risky_use_of_each_ground(pack_id, ground):
    risky, _ = GROUND_CASES[ground]
    findings = [f for f in screen_text(risky, packs=_one_pack(pack_id))]
    label = BOOK.grounds[ground]
    hits = [f for f in findings if f.ground == label]
    assert hits, f"{pack_id} did not flag {ground!r} in {risky!r}: {findings}"
    [basis] = [b for b in hits[0].basis if b.pack == pack_id]
    assert basis.law == BOOK.packs[pack_id].grounds[ground]
    assert basis.name == BOOK.packs[pack_id].name


@pytest.mark.parametrize(("pack_id", "ground"), PACK_GROUNDS, ids=lambda v: v)
def test_each_pack_passes_the_harmless_use_of_each_ground(pack_id, ground):
    _, harmless = GROUND_CASES[ground]
    assert screen_text(harmless, packs=_one_pack(pack_id)) == []


UNCOVERED = [
    (pack.id, ground)
    for pack in BOOK.choosable
    for ground in sorted(set(BOOK.grounds) - set(pack.grounds))
    if not any(ground in p.grounds for p in BOOK.packs.values() if p.always)
]


@pytest.mark.parametrize(("pack_id", "ground"), UNCOVERED, ids=lambda v: v)
def test_a_ground_outside_the_chosen_pack_is_not_flagged(pack_id, ground):
    risky, _ = GROUND_CASES[ground]
    label = BOOK.grounds[ground]
    assert not [f for f in screen_text(risky, packs=[pack_id]) if f.ground == label]


def test_by_default_every_pack_applies_and_each_is_named():
    [finding] = screen_text("We need a native English speaker for this role.")
    assert [b.pack for b in finding.basis] == ["uk", "us-federal", "eu"]


def test_the_packs_cover_the_laws_the_product_promises():
    uk = BOOK.packs["uk"].grounds
    assert {
        "age",
        "disability",
        "gender-identity",
        "marital",
        "pregnancy",
        "race",
        "religion",
        "sex",
        "sexual-orientation",
    } <= set(uk), "the Equality Act 2010's nine protected characteristics"
    laws = " ".join(BOOK.packs["us-federal"].grounds.values())
    for act in ("Title VII", "ADEA", "ADA", "Pregnancy Discrimination Act", "GINA", "USERRA"):
        assert act in laws
    assert "National Labor Relations Act" in laws
    eu = " ".join(BOOK.packs["eu"].grounds.values())
    for directive in ("2000/43/EC", "2000/78/EC", "2006/54/EC"):
        assert directive in eu
