"""Scorecard templates: a library of role-specific scorecards, each edited as immutable versions.

A version's `definition` (portal/scorecards/definition.py) holds the engagement weights, the role
skills with their anchors and practice suggestions, and the questions. A scorecard is started
with a version and keeps it; a released revision records it, so nothing released moves when a
template is edited.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.recruiting import Stage
from portal.models.users import User
from portal.scorecards.definition import Definition


class ScorecardTemplate(Base):
    __tablename__ = "scorecard_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    family: Mapped[str | None] = mapped_column(sa.String(40))  # the shipped library's file stem
    description: Mapped[str | None] = mapped_column(sa.Text)
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def current(self) -> TemplateVersion:
        return self.versions[-1]


class TemplateVersion(Base):
    """One immutable state of a template: never updated, only followed by the next number."""

    __tablename__ = "template_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecard_templates.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.String(200))  # what changed, from the editor
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[ScorecardTemplate] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("template_id", "number"),)

    @functools.cached_property
    def spec(self) -> Definition:
        """The parsed definition (a version is never updated, so it is parsed once)."""
        return Definition.from_json(self.definition)

    @property
    def label(self) -> str:
        return f"{self.template.name}, version {self.number}"


class PositionStageTemplate(Base):
    """A position's template for one interview stage, where it differs from the position's."""

    __tablename__ = "position_stage_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(
        sa.ForeignKey("positions.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("scorecard_templates.id"))

    template: Mapped[ScorecardTemplate] = relationship()

    __table_args__ = (sa.UniqueConstraint("position_id", "stage"),)


class SkillRating(Base):
    """One role skill of a scorecard: a 1–5 rating and the behaviour observed."""

    __tablename__ = "skill_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"))
    skill_key: Mapped[str] = mapped_column(sa.String(40))
    score: Mapped[int | None]
    example: Mapped[str | None] = mapped_column(sa.Text)
    # Panel feedback only, internal: why the lead moved the rating from the panel's median.
    adjustment_reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.UniqueConstraint("feedback_id", "skill_key"),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
    )


class QuestionAnswer(Base):
    """The interviewer's written answer to one of the template's questions."""

    __tablename__ = "question_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("feedback_id", "question_key"),)
