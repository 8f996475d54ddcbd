"""The release check's second reader: the committed model is what training writes, the
portal scores with it exactly as scikit-learn does, and it plays its two parts."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from portal.release_check import model as reader
from portal.release_check.screening import default_rulebook, screen_text

ROOT = Path(__file__).resolve().parents[2]


def _training_script():
    spec = importlib.util.spec_from_file_location(
        "train_release_check", ROOT / "scripts" / "train_release_check.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def trained():
    pytest.importorskip("sklearn", reason="scikit-learn is a development dependency")
    return _training_script().train()


def _close(a, b, path="model") -> None:
    """Equal structure, numbers equal to within rounding (BLAS builds differ in the last
    digits)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys differ"
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-3), path
    else:
        assert a == b, path


def test_the_committed_model_is_what_training_writes(trained):
    committed = json.loads(reader.MODEL_PATH.read_text(encoding="utf-8"))
    stale = "model.json is stale: run .venv/bin/python scripts/train_release_check.py"
    assert committed["trained_on"] == trained["trained_on"], stale
    assert committed["parts"].keys() == trained["parts"].keys(), stale
    for name in committed["parts"]:
        assert committed["parts"][name].keys() == trained["parts"][name].keys(), stale
        for gram, (idf, coef, _) in committed["parts"][name].items():
            fresh = trained["parts"][name][gram]
            assert (idf, coef) == (
                pytest.approx(fresh[0], abs=1e-3),
                pytest.approx(fresh[1], abs=1e-3),
            ), gram
    _close(committed["category_intercepts"], trained["category_intercepts"])
    assert committed["intercept"] == pytest.approx(trained["intercept"], abs=1e-3)


def test_plain_python_scores_as_scikit_learn_does():
    pytest.importorskip("sklearn")
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    script = _training_script()
    rows = script.training_rows()
    texts = [t for t, _, _ in rows]
    labels = [r for _, r, _ in rows]
    matrices, vectorizers = [], []
    for options in reader.VECTORIZERS.values():
        vectorizer = TfidfVectorizer(sublinear_tf=True, lowercase=True, **options)
        matrices.append(vectorizer.fit_transform(texts))
        vectorizers.append(vectorizer)
    risk = LogisticRegression(C=script.C, max_iter=5000, class_weight="balanced")
    risk.fit(hstack(matrices).tocsr(), labels)
    probes = [
        "You seemed a little old for such a fast-moving team.",
        "You walked us through the parent company's data model.",
        "Comment   with  odd   spacing and CAPITALS, plus ünïcödé.",
        "a",
    ]
    expected = risk.predict_proba(hstack([v.transform(probes) for v in vectorizers]).tocsr())[:, 1]
    model = reader.default_model()
    for text, probability in zip(probes, expected, strict=True):
        assert model.risk(text) == pytest.approx(probability, abs=1e-4), text


@pytest.mark.parametrize(
    "text",
    [
        "He has been doing this since before the internet existed, so he will be slow.",
        "She will probably want to leave early every day for the school pick-up.",
        "He might not cope with the stairs at our office.",
    ],
)
def test_a_risky_sentence_with_no_listed_word_is_flagged_by_the_model(text):
    book = default_rulebook()
    assert screen_text(text, rulebook=dataclasses.replace(book, reader=None)) == []
    [finding] = screen_text(text)
    assert finding.rule_id == "model"
    assert finding.matched == text.rstrip(".")
    assert (finding.start, finding.end) == (0, len(text) - 1)
    assert finding.category in {r.category for r in book.rules}
    assert finding.basis and "No listed word matched" in finding.explanation


def test_model_findings_name_a_ground_and_can_be_kept_on_purpose():
    book = default_rulebook()
    flagged = [
        row
        for row in map(json.loads, reader.CORPUS.read_text(encoding="utf-8").splitlines())
        if row["risky"]
    ]
    model_findings = [
        f for row in flagged for f in screen_text(row["text"]) if f.rule_id == "model"
    ]
    for finding in model_findings:
        assert finding.category in {r.category for r in book.rules}
        assert finding.ground in book.grounds.values()
        assert finding.matched and finding.matched == finding.matched.strip()


def test_a_rule_match_in_a_clearly_harmless_sentence_is_dropped():
    book = default_rulebook()
    assert 0 < book.keep < book.flag <= 1
    # Every risky case of the rules' own tests survives the second reading.
    from tests.feedback.test_screening import RISKY

    for _, category, text, _ in RISKY:
        assert [f for f in screen_text(text) if f.category == category], text
