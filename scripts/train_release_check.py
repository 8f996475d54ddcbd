"""Train the release check's second reader and write portal/release_check/model.json.

The rules (rules.toml) know the words; this linear model, trained on labelled phrases,
catches risky phrasings the rules have no words for and tells apart the harmless uses of
risky words they would flag. Its training data: the labelled corpus beside the rules
(portal/release_check/corpus.jsonl, the development part), every risky and harmless case
of the rules' tests, and the demo's texts (harmless). Never the held-out part in
tests/feedback/corpus/, which measures it.

It needs scikit-learn (a development dependency); the portal reads the written model with
plain Python (portal/release_check/model.py), so production does not install it.
tests/feedback/test_model.py checks that the committed model is what this script writes.

    .venv/bin/python scripts/train_release_check.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.release_check import model as reader  # noqa: E402

C = 16.0  # inverse regularisation, chosen by cross-validation and on the validation set
DIGITS = 6  # weights are rounded so the file is stable and readable in a diff


# Corpus labels that name a category the findings call otherwise.
SAME_AS = {
    "Disability": "Disability or health",
    "Health": "Disability or health",
    "Immigration status": "Nationality or immigration",
}


def training_rows() -> list[tuple[str, bool, str]]:
    """(text, risky, category) for every labelled phrase the model may learn from."""
    from portal import demo
    from tests.feedback.test_screening import HARMLESS, RISKY

    rows = []
    for line in (reader.CORPUS).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            category = SAME_AS.get(row["category"], row["category"])
            rows.append((row["text"], row["risky"], category))
    rows += [(text, True, category) for _, category, text, _ in RISKY]
    rows += [(text, False, "None") for _, text in HARMLESS]
    rows += [(text, False, "None") for text in demo_texts(demo)]
    return rows


def demo_texts(demo) -> list[str]:
    """The candidate-visible texts the demo writes (feedback, referrals, answers)."""
    texts: list[str] = []
    for name in dir(demo):
        if not name.isupper():
            continue
        value = getattr(demo, name)
        if isinstance(value, str) and len(value.split()) > 4:
            texts.append(value)
        elif isinstance(value, (list, tuple)):
            texts += [v for v in value if isinstance(v, str) and len(v.split()) > 4]
        elif isinstance(value, dict):
            texts += [v for v in value.values() if isinstance(v, str) and len(v.split()) > 4]
    return texts


def train() -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = training_rows()
    texts = [t for t, _, _ in rows]
    labels = [r for _, r, _ in rows]
    parts = {}
    matrices = []
    for name, options in reader.VECTORIZERS.items():
        vectorizer = TfidfVectorizer(sublinear_tf=True, lowercase=True, **options)
        matrices.append(vectorizer.fit_transform(texts))
        parts[name] = vectorizer
    from scipy.sparse import hstack

    features = hstack(matrices).tocsr()
    risk = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    risk.fit(features, labels)
    risky_rows = [i for i, r in enumerate(labels) if r]
    categories = LogisticRegression(C=C, max_iter=5000)
    categories.fit(features[risky_rows], [rows[i][2] for i in risky_rows])

    model: dict = {"intercept": round(float(risk.intercept_[0]), DIGITS), "parts": {}}
    offset = 0
    for name, vectorizer in parts.items():
        vocabulary = vectorizer.vocabulary_
        idf = vectorizer.idf_
        entries = {}
        for term, index in sorted(vocabulary.items()):
            column = offset + index
            by_class = {
                label: round(float(categories.coef_[k][column]), DIGITS)
                for k, label in enumerate(categories.classes_)
                if abs(categories.coef_[k][column]) >= reader.CATEGORY_FLOOR
            }
            entries[term] = [
                round(float(idf[index]), DIGITS),
                round(float(risk.coef_[0][column]), DIGITS),
                by_class,
            ]
        model["parts"][name] = entries
        offset += len(vocabulary)
    model["category_intercepts"] = {
        label: round(float(categories.intercept_[k]), DIGITS)
        for k, label in enumerate(categories.classes_)
    }
    model["trained_on"] = {"phrases": len(rows), "risky": sum(labels)}
    assert math.isfinite(model["intercept"])
    return model


def main() -> None:
    model = train()
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    reader.MODEL_PATH.write_text(text + "\n", encoding="utf-8")
    size = reader.MODEL_PATH.stat().st_size
    print(
        f"wrote {reader.MODEL_PATH.relative_to(ROOT)} ({size / 1e6:.1f} MB, "
        f"{model['trained_on']['phrases']} phrases)"
    )


if __name__ == "__main__":
    main()
