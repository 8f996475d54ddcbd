"""The release check's second reader: a linear model over character and word n-grams,
trained on labelled phrases by scripts/train_release_check.py and stored in model.json.

The rules know words; this model has read some two thousand labelled phrases and scores a
sentence by how much it resembles the risky ones. screening.py uses it twice: a sentence it
finds clearly risky is flagged even where no rule has the words, and a rule's match in a
sentence it finds clearly harmless is dropped. Scoring is plain Python with the same
arithmetic as scikit-learn's TfidfVectorizer and LogisticRegression (checked by
tests/feedback/test_model.py), so production needs neither scikit-learn nor numpy.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
MODEL_PATH = HERE / "model.json"
CORPUS = HERE / "corpus.jsonl"

# The two views of a text; the training script passes these to TfidfVectorizer.
VECTORIZERS: dict[str, dict[str, Any]] = {
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2},
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1},
}
CATEGORY_FLOOR = 0.2  # category weights smaller than this are not stored

_WHITE = re.compile(r"\s\s+")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class Model:
    def __init__(self, data: dict[str, Any]):
        self.intercept = float(data["intercept"])
        # view -> n-gram -> (idf, weight for risk); view -> n-gram -> {category: weight}
        self.parts: dict[str, dict[str, tuple[float, float]]] = {
            name: {gram: (entry[0], entry[1]) for gram, entry in entries.items()}
            for name, entries in data["parts"].items()
        }
        self.by_class: dict[str, dict[str, dict[str, float]]] = {
            name: {gram: entry[2] for gram, entry in entries.items() if entry[2]}
            for name, entries in data["parts"].items()
        }
        self.category_intercepts: dict[str, float] = data["category_intercepts"]

    def _weighted(self, text: str) -> Iterator[tuple[str, str, float]]:
        """(view, n-gram, tf-idf value) of every known n-gram of `text`, L2-normalised per
        view, as TfidfVectorizer(sublinear_tf=True) computes them."""
        for name, entries in self.parts.items():
            known = [
                (gram, entries[gram][0] * (1.0 + math.log(count)))
                for gram, count in Counter(_gram_list(name, text)).items()
                if gram in entries
            ]
            norm = math.sqrt(sum(value * value for _, value in known)) or 1.0
            for gram, value in known:
                yield name, gram, value / norm

    def risk(self, text: str) -> float:
        """0..1: how much `text` resembles the risky phrases the model learned from. The
        same arithmetic as `_weighted`, in one pass: it runs for every sentence screened."""
        total = self.intercept
        for name, entries in self.parts.items():
            weighted = squares = 0.0
            for gram, count in Counter(_gram_list(name, text)).items():
                entry = entries.get(gram)
                if entry is None:
                    continue
                value = entry[0] * (1.0 + math.log(count)) if count > 1 else entry[0]
                squares += value * value
                weighted += value * entry[1]
            if squares:
                total += weighted / math.sqrt(squares)
        return _sigmoid(total)

    def category(self, text: str) -> str:
        """The risky category `text` most resembles."""
        scores = dict(self.category_intercepts)
        for name, gram, value in self._weighted(text):
            for label, weight in self.by_class[name].get(gram, {}).items():
                scores[label] += value * weight
        return max(scores, key=lambda label: (scores[label], label))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _gram_list(name: str, text: str) -> list[str]:
    """The n-grams scikit-learn's vectorizers make of `text` (lowercased); the character
    view is built from a per-word cache."""
    options = VECTORIZERS[name]
    low, high = options["ngram_range"]
    text = text.lower()
    if options["analyzer"] == "char_wb":
        grams: list[str] = []
        for word in _WHITE.sub(" ", text).split():
            if len(word) > _CACHED_WORD:  # a long "word" (a URL, hostile input) is not kept
                grams.extend(_word_grams.__wrapped__(word, low, high))
            else:
                grams.extend(_word_grams(word, low, high))
        return grams
    tokens = _TOKEN.findall(text)
    return [
        " ".join(tokens[i : i + n])
        for n in range(low, high + 1)
        for i in range(len(tokens) - n + 1)
    ]


_CACHED_WORD = 30  # longer words are split every time rather than remembered


@lru_cache(maxsize=16384)  # some 16,000 words of at most 30 letters: a few MB at most
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """A word's character n-grams, padded with a space each side (short words once)."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:
            break
    return tuple(grams)


@cache
def default_model() -> Model | None:
    """The committed model, or None where there is none (the rules alone then apply)."""
    if not MODEL_PATH.exists():
        return None
    return Model(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
