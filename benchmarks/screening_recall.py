"""How well the release check catches risky wording it was not written from (issue #19).

Reads the labelled corpora — the development part, portal/release_check/corpus.jsonl (the
rules are written against it and the model learns from it), and the held-out part,
tests/feedback/corpus/heldout.jsonl (written by someone who had not seen the rules; never
tune to it) — screens every phrase with the check the
portal uses, and prints, per part and for the whole corpus: recall on the risky phrases,
the false-flag rate on the harmless ones, the misses by category, and the screening time
per whole scorecard.

    .venv/bin/python benchmarks/screening_recall.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.release_check.screening import screen_fields, screen_text  # noqa: E402

CORPUS = ROOT / "tests" / "feedback" / "corpus"
DEVELOPMENT = ROOT / "portal" / "release_check" / "corpus.jsonl"  # what the check learns from
PARTS = ("development", "heldout")


def load(part: str) -> list[dict]:
    path = DEVELOPMENT if part == "development" else CORPUS / f"{part}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def score(rows: list[dict]) -> dict:
    risky = [r for r in rows if r["risky"]]
    harmless = [r for r in rows if not r["risky"]]
    caught = [r for r in risky if screen_text(r["text"])]
    flagged = [r for r in harmless if screen_text(r["text"])]
    return {
        "phrases": len(rows),
        "risky": len(risky),
        "harmless": len(harmless),
        "recall": len(caught) / len(risky) if risky else float("nan"),
        "false_flags": len(flagged) / len(harmless) if harmless else float("nan"),
        "missed": [r for r in risky if r not in caught],
        "flagged": flagged,
    }


def realistic_scorecard() -> dict[str, str]:
    """A whole scorecard as recruiters write it: the demo's texts in every candidate-visible
    field (twelve fields, about 2,000 characters)."""
    from portal import demo

    return {
        "strengths": " ".join(demo.STRENGTHS),
        "improvements": " ".join(demo.IMPROVEMENTS),
        "practice_suggestions": "\n".join(demo.PRACTICE),
        "next_step": "A 45-minute second interview with the team lead, with a short case study.",
        "insight_plans": "The team is expanding into self-service reporting next year.",
        "insight_competitors": "Two regional competitors are building analytics teams.",
        "insight_markets": "Demand forecasting for smaller retailers is a growing niche.",
        "insight_role_fit": "The role is hands-on with data pipelines.",
        **{f"example_{i}": demo.SKILL_EXAMPLES[k] for i, k in enumerate(demo.SKILL_EXAMPLES)},
        "answer": demo.CANDIDATE_ANSWER,
    }


def median_ms(fields: dict[str, str], repeat: int = 200) -> float:
    screen_fields(fields)  # rules loaded and compiled before timing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        screen_fields(fields)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def dense_scorecard(rows: list[dict]) -> dict[str, str]:
    """The worst case: twelve fields of corpus phrases, most with a risky word in them."""
    texts = [r["text"] for r in rows] or ["You explained the migration step by step."]
    return {f"field_{i}": " ".join(texts[i * 3 : i * 3 + 3]) for i in range(12)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list each miss and false flag of the development part (never the held-out's)",
    )
    parser.add_argument(
        "--part",
        choices=PARTS,
        help="score only this part (work on the rules with --part development, so the "
        "held-out figures are not looked at after every change)",
    )
    args = parser.parse_args()
    everything = []
    heading = ("part", "phrases", "risky", "harmless", "recall", "false flags")
    print("{:<12} {:>7} {:>6} {:>8} {:>7} {:>11}".format(*heading))
    parts = (args.part,) if args.part else (*PARTS, "all")
    for part in parts:
        rows = load(part) if part != "all" else everything
        if part != "all":
            everything += rows
        if not rows:
            print(f"{part:<12} (no corpus file)")
            continue
        s = score(rows)
        print(
            f"{part:<12} {s['phrases']:>7} {s['risky']:>6} {s['harmless']:>8} "
            f"{s['recall']:>7.1%} {s['false_flags']:>11.1%}"
        )
        if part != "all":
            by_category = Counter(r["category"] for r in s["missed"])
            if by_category:
                print(
                    "   missed by category: "
                    + ", ".join(f"{c} {n}" for c, n in by_category.most_common())
                )
            if args.misses and part == "development":
                for r in s["missed"]:
                    print(f"   MISS  [{r['category']}] {r['text']}")
                for r in s["flagged"]:
                    print(f"   FLAG  [{r['category']}] {r['text']}")
    real = realistic_scorecard()
    size = sum(len(v) for v in real.values())
    print(
        f"screening a whole scorecard ({len(real)} fields, {size} characters): "
        f"{median_ms(real):.2f} ms median"
    )
    print(
        "screening twelve fields of corpus phrases (worst case): "
        f"{median_ms(dense_scorecard(everything)):.2f} ms median"
    )


if __name__ == "__main__":
    main()
