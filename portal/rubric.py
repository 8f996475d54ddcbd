"""The engagement rubric: its dimensions, what each means and what a 1, 3 and 5 look like.

Plain data with no database in it, so the report renderer can read it too.

The wording is written for recruiters (anchors) and for candidates (bands, action plan);
both describe observed behaviour, never personality.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Dimension(enum.StrEnum):
    """The six engagement dimensions every scorecard rates (stored by value in ratings)."""

    PRESENCE = "presence"
    EXCHANGE = "exchange"
    LISTENING = "listening"
    QUESTIONS = "questions"
    PREPARATION = "preparation"
    COMPOSURE = "composure"


@dataclass(frozen=True)
class DimensionGuide:
    dimension: Dimension
    label: str
    question: str
    anchors: dict[int, str]
    practice: str


RUBRIC: tuple[DimensionGuide, ...] = (
    DimensionGuide(
        Dimension.PRESENCE,
        "Presence and focus",
        "Was the candidate in the conversation, rather than in their own head?",
        {
            1: "Often distracted or answering a question other than the one asked.",
            3: "Attentive most of the time; drifted once or twice under pressure.",
            5: "Fully attentive throughout; picked up on details from earlier in the conversation.",
        },
        "Before your next interview, take two minutes to settle, and after each question pause "
        "briefly to make sure you answer what was actually asked.",
    ),
    DimensionGuide(
        Dimension.EXCHANGE,
        "Two-way information exchange",
        "Did information flow both ways, as a conversation between equals?",
        {
            1: "Answered questions only; the conversation stayed one-directional.",
            3: "Some back-and-forth, mostly prompted by the interviewer.",
            5: "A balanced conversation; shared context and drew out the interviewer's view.",
        },
        "Prepare two points you want to learn and two you want to share, and weave them into "
        "your answers instead of waiting for the end.",
    ),
    DimensionGuide(
        Dimension.LISTENING,
        "Listening and responsiveness",
        "Did answers build on what the interviewer said?",
        {
            1: "Answers did not connect to what the interviewer had just said.",
            3: "Usually responsive; occasionally missed a follow-up cue.",
            5: "Built on the interviewer's points and adjusted answers to their cues.",
        },
        "Practise summarising the question in a few words before answering, and link your answer "
        "back to something the interviewer mentioned.",
    ),
    DimensionGuide(
        Dimension.QUESTIONS,
        "Questions about the role and company",
        "Did the candidate ask questions that show interest in the role and the business?",
        {
            1: "Asked no questions, or only about logistics.",
            3: "Asked a few general questions about the role.",
            5: "Asked specific questions about the team, plans and challenges of the role.",
        },
        "Write down three questions about the team's plans and challenges before each interview, "
        "and ask at least one of them mid-conversation.",
    ),
    DimensionGuide(
        Dimension.PREPARATION,
        "Preparation and research",
        "Had the candidate looked into the company, the role and its market?",
        {
            1: "Little sign of research into the company or the role.",
            3: "Knew the basics of the company and the role.",
            5: "Well researched; referred to the company's products, market and recent news.",
        },
        "Spend thirty minutes on the company's recent news, products and competitors, and note "
        "how your experience maps onto the role's requirements.",
    ),
    DimensionGuide(
        Dimension.COMPOSURE,
        "Composure and attitude",
        "Did the candidate stay constructive and composed, including on hard questions?",
        {
            1: "Visibly unsettled by difficult questions; answers became defensive.",
            3: "Mostly composed; recovered after a difficult question.",
            5: "Calm and constructive throughout, including on difficult questions.",
        },
        "Rehearse answers to the two questions you find hardest with a friend, out loud, until "
        "you can answer them calmly and briefly.",
    ),
)

GUIDES = {guide.dimension: guide for guide in RUBRIC}


def band(score: float | None) -> str:
    """A plain-language band for a 1–5 rating, so no score is shown without words."""
    if score is None:
        return "not rated"
    if score < 2.5:
        return "developing"
    if score < 4:
        return "solid"
    return "strong"
