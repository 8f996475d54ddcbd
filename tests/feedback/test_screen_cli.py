"""`flask feedback screen`: JSON lines on standard output, exit status 1 when anything is flagged."""

from __future__ import annotations

import json

import pytest

from portal.feedback.cli import feedback_cli

KEYS = {"field", "rule_id", "category", "matched", "start", "end", "explanation", "suggestion"}


@pytest.fixture
def screen(app):
    app.cli.add_command(feedback_cli)
    runner = app.test_cli_runner()

    def run(text: str):
        return runner.invoke(args=["feedback", "screen"], input=text)

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
