"""The labelled corpus the release check is measured on (issue #19): its shape, the figures
on the part the rules may be written against, and that the prefilter changes no result.

The held-out part's figures are printed by benchmarks/screening_recall.py, not asserted
here: it is written by someone who has not seen the rules, and tuning the rules until a
test on it passes would make it one more development set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from portal.release_check import model as reader
from portal.release_check.screening import _TYPOGRAPHY, default_rulebook, screen_text

CORPUS = Path(__file__).with_name("corpus")
DEVELOPMENT = Path(reader.CORPUS)
KEYS = {"text", "risky", "category", "note"}


def rows(part: str) -> list[dict]:
    path = DEVELOPMENT if part == "development" else CORPUS / f"{part}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("part", ["development", "heldout"])
def test_each_part_is_well_formed_and_half_of_it_harmless(part):
    data = rows(part)
    assert all(set(r) == KEYS and isinstance(r["risky"], bool) for r in data)
    assert len({r["text"] for r in data}) == len(data), "no phrase twice"
    harmless = sum(not r["risky"] for r in data)
    assert harmless * 2 >= len(data) - 20  # about half are harmless uses of the same words


def test_the_corpus_is_large_and_covers_every_risky_category():
    data = rows("development") + rows("heldout")
    assert len(data) >= 400
    risky = Counter(r["category"] for r in data if r["risky"])
    for category in ("Age", "Disability or health", "Culture fit", "Too vague to act on"):
        assert risky[category] >= 20, category
    assert len(risky) >= 18


def test_the_development_part_is_caught_without_false_flags():
    data = rows("development")
    risky = [r for r in data if r["risky"]]
    harmless = [r for r in data if not r["risky"]]
    missed = [r["text"] for r in risky if not screen_text(r["text"])]
    flagged = [r["text"] for r in harmless if screen_text(r["text"])]
    assert len(missed) <= len(risky) * 0.02, missed
    assert len(flagged) <= len(harmless) * 0.02, flagged


def test_the_needle_prefilter_changes_no_result():
    """Running only the patterns whose needles occur gives what running all of them gives."""
    book = default_rulebook()
    for row in rows("development") + rows("heldout"):
        text = row["text"].translate(_TYPOGRAPHY)
        possible = book.possible(text.casefold())
        for index, rule in enumerate(book.rules):
            everything = list(rule.spans(text))
            prefiltered = list(rule.spans(text, patterns=possible.get(index, ())))
            assert everything == prefiltered, (rule.id, row["text"])


def test_the_prefilter_folds_letters_as_the_regex_engine_does():
    """A dotted capital I (which casefolds to two characters) cannot hide a word."""
    text = "She is a Chr\u0130stian so weekends are out."
    assert [f.rule_id for f in screen_text(text)] == ["religion"]
