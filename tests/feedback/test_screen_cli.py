"""`flask feedback screen`: JSON lines on standard output, exit status 1 when anything is flagged."""

from __future__ import annotations

import json

import pytest

from portal import release_check
from portal.extensions import db
from portal.feedback.cli import feedback_cli

KEYS = {"field", "rule_id", "category", "matched", "start", "end", "explanation", "suggestion"}
KEYS |= {"ground", "basis"}


@pytest.fixture
def screen(app):
    app.cli.add_command(feedback_cli)
    runner = app.test_cli_runner()

    def run(text: str, *options: str):
        return runner.invoke(args=["feedback", "screen", *options], input=text)

    return run


def findings_of(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_clean_text_exits_0_with_no_findings(screen):
    result = screen("You explained the caching trade-offs clearly and asked about on-call.\n")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No findings" in result.stderr


def test_flagged_text_exits_1_with_one_json_object_per_line(screen):
    text = "You are a culture fit and better than the other candidates."
    result = screen(text)
    assert result.exit_code == 1
    findings = findings_of(result)
    assert [f["category"] for f in findings] == [
        "Culture fit",
        "Comparison with other candidates",
    ]
    for finding in findings:
        assert set(finding) == KEYS
        assert finding["field"] == "text"
        assert text[finding["start"] : finding["end"]] == finding["matched"]
        assert finding["explanation"] and finding["suggestion"]
    assert "2 finding(s)" in result.stderr


def test_multi_line_input_is_screened_as_one_text(screen):
    text = (
        "Strengths: you walked us through the parent company's data model.\n"
        "\n"
        "Improvements: your accent was hard to follow\n"
        "and you seemed too young for the lead role.\n"
    )
    result = screen(text)
    assert result.exit_code == 1
    findings = findings_of(result)
    assert [(f["category"], f["matched"]) for f in findings] == [
        ("Nationality or accent", "accent"),
        ("Age", "you seemed too young"),
    ]
    for finding in findings:
        assert text[finding["start"] : finding["end"]] == finding["matched"]
    assert text.index("accent") == findings[0]["start"]


def test_a_phrase_broken_across_lines_is_still_found(screen):
    result = screen("We need a native\nspeaker for this role.")
    assert result.exit_code == 1
    [finding] = findings_of(result)
    assert finding["matched"] == "native\nspeaker"


def test_non_ascii_input_round_trips(screen):
    text = "Caf\u00e9 chain client. It didn\u2019t feel right."
    result = screen(text)
    assert result.exit_code == 1
    [finding] = findings_of(result)
    assert finding["matched"] == "didn\u2019t feel right"
    assert text[finding["start"] : finding["end"]] == finding["matched"]


@pytest.mark.parametrize("text", ["", "\n\n", "   "])
def test_empty_input_is_clean(screen, text):
    result = screen(text)
    assert result.exit_code == 0
    assert result.stdout == ""


def test_whole_input_vague_verdict(screen):
    result = screen("Good.\n")
    assert result.exit_code == 1
    [finding] = findings_of(result)
    assert (finding["category"], finding["matched"], finding["start"]) == (
        "Too vague to act on",
        "Good",
        0,
    )


def test_the_group_lists_the_screen_command(app):
    app.cli.add_command(feedback_cli)
    result = app.test_cli_runner().invoke(args=["feedback", "--help"])
    assert result.exit_code == 0
    assert "screen" in result.stdout


APPEARANCE = "Your tattoos were distracting during the presentation."


def test_each_finding_names_its_ground_and_the_law_in_each_pack(screen):
    result = screen("He is too old for this team.")
    [finding] = findings_of(result)
    assert finding["ground"] == "Age"
    laws = {basis["pack"]: basis["law"] for basis in finding["basis"]}
    assert set(laws) == {"uk", "us-federal", "eu"}
    assert "Equality Act 2010" in laws["uk"] and "ADEA" in laws["us-federal"]


def test_pack_option_limits_the_check_to_those_packs(screen):
    assert screen(APPEARANCE, "--pack", "uk").exit_code == 0
    result = screen(APPEARANCE, "--pack", "uk", "--pack", "us-states")
    assert result.exit_code == 1
    [finding] = findings_of(result)
    assert [b["pack"] for b in finding["basis"]] == ["us-states"]


def test_good_practice_applies_whichever_pack_is_chosen(screen):
    result = screen("Honestly, not a culture fit.", "--pack", "eu")
    assert result.exit_code == 1
    assert [b["pack"] for f in findings_of(result) for b in f["basis"]] == ["practice"]


def test_an_unknown_pack_is_refused_with_the_known_ones_named(screen):
    result = screen(APPEARANCE, "--pack", "mars")
    assert result.exit_code == 2
    assert "unknown pack mars" in result.stderr and "us-federal" in result.stderr


def test_without_the_option_the_admins_choice_applies(screen, admin):
    assert screen(APPEARANCE).exit_code == 1
    release_check.choose_packs(["uk", "eu"], actor=admin)
    db.session.commit()
    assert screen(APPEARANCE).exit_code == 0


def test_input_that_is_not_utf8_is_refused_with_a_message(screen):
    result = screen(b"caf\xe9 \xff\xfe")
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr
