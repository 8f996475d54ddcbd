"""POST /api/v1/release-check: the portal's release check for other systems, with the same
findings as the pages and `flask feedback screen`."""

from __future__ import annotations

import dataclasses
import json

import pytest

from portal import release_check
from portal.extensions import db
from portal.feedback.cli import feedback_cli
from portal.models import ApiScope
from tests.test_api import bearer, make_token, problem_of

URL = "/api/v1/release-check"
TEXTS = {
    "strengths": "You walked us through the parent company's data model clearly.",
    "improvements": "You seemed a bit old for the team, and the other candidate was sharper.",
    "practice": "Your tattoos were distracting during the presentation.",
}


@pytest.fixture
def reader(recruiter):
    return bearer(make_token(recruiter, ApiScope.READ))


def test_a_read_token_screens_texts_and_gets_each_finding_with_its_ground(client, reader):
    response = client.post(URL, json={"texts": TEXTS}, headers=reader)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["packs"] == ["uk", "us-federal", "us-states", "eu", "practice"]
    found = [(f["field"], f["category"], f["matched"]) for f in body["findings"]]
    assert found == [
        ("improvements", "Age", "You seemed a bit old"),
        ("improvements", "Comparison with other candidates", "other candidate"),
        ("practice", "Appearance", "tattoos"),
    ]
    age = body["findings"][0]
    assert age["ground"] == "Age"
    assert {b["pack"] for b in age["basis"]} == {"uk", "us-federal", "eu"}
    text = TEXTS["improvements"]
    assert text[age["start"] : age["end"]] == age["matched"]


def test_the_api_the_pages_and_the_cli_give_the_same_findings(app, client, reader, admin):
    release_check.choose_packs(["uk"], actor=admin)
    db.session.commit()
    api = client.post(URL, json={"texts": TEXTS}, headers=reader).get_json()["findings"]
    pages = [dataclasses.asdict(f) for f in release_check.findings(TEXTS)]
    app.cli.add_command(feedback_cli)
    runner = app.test_cli_runner()
    cli = []
    for name, text in TEXTS.items():
        result = runner.invoke(args=["feedback", "screen"], input=text)
        cli += [{**json.loads(line), "field": name} for line in result.stdout.splitlines()]

    def plain(findings):
        return [{**f, "basis": [dict(b) for b in f["basis"]]} for f in findings]

    assert plain(api) == plain(pages) == plain(cli)
    assert [f["category"] for f in api] == ["Age", "Comparison with other candidates"]


def test_packs_can_be_asked_for(client, reader):
    body = client.post(URL, json={"texts": TEXTS, "packs": ["us-states"]}, headers=reader)
    findings = body.get_json()["findings"]
    assert [f["category"] for f in findings] == [
        "Comparison with other candidates",
        "Appearance",
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "texts"),
        ({"texts": {}}, "texts"),
        ({"texts": {"a": 5}}, "texts"),
        ({"texts": {"a": "x" * 20_001}}, "texts"),
        ({"texts": {f"f{i}": "ok" for i in range(51)}}, "texts"),
        ({"texts": {f"f{i}": "y" * 20_000 for i in range(6)}}, "texts"),
        ({"texts": {"a": "fine"}, "packs": ["mars"]}, "packs"),
        ({"texts": {"a": "fine"}, "packs": "uk"}, "packs"),
        ({"texts": {"a": "fine"}, "colour": "red"}, "colour"),
    ],
)
def test_bad_bodies_are_422_problems_by_field(client, reader, payload, field):
    body = problem_of(client.post(URL, json=payload, headers=reader), 422)
    assert field in body["errors"]


def test_markup_and_control_characters_come_back_as_plain_text(client, reader):
    text = "<b>Not a culture fit</b>\u0007 at all."
    body = client.post(URL, json={"texts": {"a": text}}, headers=reader).get_json()
    [finding] = body["findings"]
    assert finding["matched"] == "culture fit"
    assert "<b>" not in json.dumps(body)


def test_without_a_token_it_is_a_401_problem(client):
    problem_of(client.post(URL, json={"texts": TEXTS}), 401)


def test_the_openapi_document_describes_it(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/release-check"]["post"]
    assert "200" in operation["responses"]
