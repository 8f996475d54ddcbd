"""scorecard templates per position, versioned; role-skill ratings and question answers

Every existing position gets a template of its own, "<title> · <company> (migrated)", whose
version 1 holds the position's engagement weights and no role skills; every existing scorecard
and released revision points at that version, so nothing scored so far changes. The weights
then live in the template only (positions.rubric_weights goes).

Downgrade: each position's weights are copied back from its template's latest version (per-stage
templates are dropped); role-skill ratings and question answers are lost, while released
revisions keep their frozen content, weights and score.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NAME_LIMIT = 80

positions = sa.table(
    'positions',
    sa.column('id', sa.Integer), sa.column('company_id', sa.Integer), sa.column('title', sa.String),
    sa.column('rubric_weights', sa.JSON), sa.column('template_id', sa.Integer),
)
companies = sa.table('companies', sa.column('id', sa.Integer), sa.column('name', sa.String))
templates = sa.table(
    'scorecard_templates',
    sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('description', sa.Text),
    sa.column('archived', sa.Boolean), sa.column('created_at', sa.DateTime),
)
versions = sa.table(
    'template_versions',
    sa.column('id', sa.Integer), sa.column('template_id', sa.Integer), sa.column('number', sa.Integer),
    sa.column('definition', sa.JSON), sa.column('note', sa.String), sa.column('created_at', sa.DateTime),
)
interviews = sa.table('interviews', sa.column('id', sa.Integer), sa.column('position_id', sa.Integer))
feedback = sa.table(
    'feedback', sa.column('id', sa.Integer), sa.column('interview_id', sa.Integer),
    sa.column('template_version_id', sa.Integer),
)
revisions = sa.table(
    'feedback_revisions', sa.column('feedback_id', sa.Integer), sa.column('template_version_id', sa.Integer),
)


def upgrade():
    op.create_table(
        'scorecard_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('family', sa.String(length=40), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scorecard_templates_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_templates')),
        sa.UniqueConstraint('name', name=op.f('uq_scorecard_templates_name')),
    )
    op.create_table(
        'template_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_template_versions_created_by_id_users')),
        sa.ForeignKeyConstraint(['template_id'], ['scorecard_templates.id'], name=op.f('fk_template_versions_template_id_scorecard_templates'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
        sa.UniqueConstraint('template_id', 'number', name=op.f('uq_template_versions_template_id_number')),
    )
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_versions_template_id'), ['template_id'], unique=False)
    op.create_table(
        'position_stage_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Enum('application', 'first', 'second', 'final', 'offer', name='stage', native_enum=False, length=15), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_position_stage_templates_position_id_positions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['template_id'], ['scorecard_templates.id'], name=op.f('fk_position_stage_templates_template_id_scorecard_templates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_position_stage_templates')),
        sa.UniqueConstraint('position_id', 'stage', name=op.f('uq_position_stage_templates_position_id_stage')),
    )
    with op.batch_alter_table('position_stage_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_stage_templates_position_id'), ['position_id'], unique=False)
    op.create_table(
        'skill_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('skill_key', sa.String(length=40), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('example', sa.Text(), nullable=True),
        sa.Column('adjustment_reason', sa.Text(), nullable=True),
        sa.CheckConstraint('score IS NULL OR (score >= 1 AND score <= 5)', name=op.f('ck_skill_ratings_score_range')),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_skill_ratings_feedback_id_feedback'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_ratings')),
        sa.UniqueConstraint('feedback_id', 'skill_key', name=op.f('uq_skill_ratings_feedback_id_skill_key')),
    )
    op.create_table(
        'question_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_question_answers_feedback_id_feedback'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_answers')),
        sa.UniqueConstraint('feedback_id', 'question_key', name=op.f('uq_question_answers_feedback_id_question_key')),
    )
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_positions_template_id_scorecard_templates'), 'scorecard_templates', ['template_id'], ['id'])
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_template_version_id'), ['template_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_template_version_id_template_versions'), 'template_versions', ['template_version_id'], ['id'])
    with op.batch_alter_table('feedback_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feedback_revisions_template_version_id_template_versions'), 'template_versions', ['template_version_id'], ['id'])

    _templates_from_positions()

    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_column('rubric_weights')


def _templates_from_positions():
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    taken = set()
    rows = bind.execute(
        sa.select(positions.c.id, positions.c.title, positions.c.rubric_weights, companies.c.name)
        .join(companies, companies.c.id == positions.c.company_id)
        .order_by(positions.c.id)
    ).all()
    for position_id, title, weights, company in rows:
        name = _unique(f"{title} · {company}", taken)
        template_id = bind.execute(
            templates.insert().returning(templates.c.id).values(
                name=name,
                description=f"Made from the scoring of {title} at {company} when templates came in.",
                archived=False,
                created_at=now,
            )
        ).scalar_one()
        kept = {k: float(v) for k, v in (weights or {}).items() if float(v) != 1}
        version_id = bind.execute(
            versions.insert().returning(versions.c.id).values(
                template_id=template_id,
                number=1,
                definition={"weights": kept, "skills": [], "questions": []},
                note="Migrated from the position's weights.",
                created_at=now,
            )
        ).scalar_one()
        bind.execute(positions.update().where(positions.c.id == position_id).values(template_id=template_id))
        of_position = sa.select(interviews.c.id).where(interviews.c.position_id == position_id)
        bind.execute(
            feedback.update().where(feedback.c.interview_id.in_(of_position)).values(template_version_id=version_id)
        )
        bind.execute(
            revisions.update()
            .where(revisions.c.feedback_id.in_(sa.select(feedback.c.id).where(feedback.c.interview_id.in_(of_position))))
            .values(template_version_id=version_id)
        )


def _unique(base, taken):
    suffix = " (migrated)"
    name = base[: NAME_LIMIT - len(suffix)] + suffix
    n = 2
    while name.lower() in taken:
        extra = f" (migrated {n})"
        name = base[: NAME_LIMIT - len(extra)] + extra
        n += 1
    taken.add(name.lower())
    return name


def downgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubric_weights', sa.JSON(), nullable=True))
    bind = op.get_bind()
    latest = (
        sa.select(versions.c.template_id, sa.func.max(versions.c.number).label('number'))
        .group_by(versions.c.template_id)
        .subquery()
    )
    current = dict(
        bind.execute(
            sa.select(versions.c.template_id, versions.c.definition).join(
                latest, sa.and_(latest.c.template_id == versions.c.template_id, latest.c.number == versions.c.number)
            )
        ).all()
    )
    for position_id, template_id in bind.execute(sa.select(positions.c.id, positions.c.template_id)).all():
        definition = current.get(template_id) or {}
        weights = {k: (int(v) if float(v).is_integer() else v) for k, v in (definition.get("weights") or {}).items()}
        bind.execute(positions.update().where(positions.c.id == position_id).values(rubric_weights=weights))
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.alter_column('rubric_weights', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_positions_template_id_scorecard_templates'), type_='foreignkey')
        batch_op.drop_column('template_id')
    with op.batch_alter_table('feedback_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_revisions_template_version_id_template_versions'), type_='foreignkey')
        batch_op.drop_column('template_version_id')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_template_version_id_template_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_template_version_id'))
        batch_op.drop_column('template_version_id')
    op.drop_table('question_answers')
    op.drop_table('skill_ratings')
    with op.batch_alter_table('position_stage_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_stage_templates_position_id'))
    op.drop_table('position_stage_templates')
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_versions_template_id'))
    op.drop_table('template_versions')
    op.drop_table('scorecard_templates')
