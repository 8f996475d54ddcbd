"""The candidate's answer, their threads, and the handler's reply."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from portal.answers.services import COMMENT_LIMIT, MESSAGE_LIMIT, AnswerInput
from portal.forms import EnumRadioField, Form, KeyListField, Required, choices
from portal.models import CandidateAnswer, Gain, GainAnswer, ThreadKind

USEFULNESS = choices(
    [
        ("1", "1 · Not useful"),
        ("2", "2"),
        ("3", "3"),
        ("4", "4"),
        ("5", "5 · Very useful"),
    ]
)


class ScoreField(RadioField):
    """1 to 5 as radio buttons: blank is for `Required` to word, anything else must be one."""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            return
        super().pre_validate(form)


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep this under {limit} characters (it is %(length)d now).")


def _gain_field(gain: Gain) -> EnumRadioField:
    return EnumRadioField(
        gain.question,
        enum_cls=GainAnswer,
        validators=[Required("Choose yes, partly or no.")],
    )


class AnswerForm(Form):
    next_round = _gain_field(Gain.NEXT_ROUND)
    referral = _gain_field(Gain.REFERRAL)
    skills = _gain_field(Gain.SKILLS)
    insight = _gain_field(Gain.INSIGHT)
    usefulness = ScoreField(
        "Overall, how useful was this feedback?",
        choices=USEFULNESS,
        validators=[Required("Choose a number from 1 to 5.")],
    )
    comment = TextAreaField(
        "A comment for your recruiter (optional)",
        validators=[Optional(), _length(COMMENT_LIMIT)],
    )

    def gain_fields(self):
        return [self[g.value] for g in Gain]

    def to_input(self) -> AnswerInput:
        return AnswerInput(
            gains={g: self[g.value].data for g in Gain},
            usefulness=int(self.usefulness.data),
            comment=self.comment.data or None,
        )

    @classmethod
    def from_answer(cls, answer: CandidateAnswer | None) -> AnswerForm:
        if answer is None:
            return cls(formdata=None)
        data = {g.value: answer.gain(g) for g in Gain}
        return cls(
            formdata=None, usefulness=str(answer.usefulness), comment=answer.comment or "", **data
        )


class ThreadForm(Form):
    kind = EnumRadioField(
        "What is it?",
        enum_cls=ThreadKind,
        validators=[Required("Choose a question or a correction.")],
        default=ThreadKind.QUESTION,
    )
    body = TextAreaField(
        "Your message",
        validators=[Required("Write your message first."), _length(MESSAGE_LIMIT)],
        description='For a correction, say what is wrong and what is right: "The interview '
        'was on 3 March, not 4 March."',
    )


class MessageForm(Form):
    body = TextAreaField(
        "Write again",
        validators=[Required("Write your message first."), _length(MESSAGE_LIMIT)],
    )


class ReplyForm(Form):
    body = TextAreaField(
        "Your reply to the candidate",
        validators=[Required("Write your reply first."), _length(MESSAGE_LIMIT)],
    )
    resolve = BooleanField("This answers it: mark the thread resolved")
    acknowledge = KeyListField()  # release-check findings in the reply, kept on purpose
