"""released revisions keep the weights and overall score they were released with

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:20:00

Existing revisions get the weights their position has now and the score those give: that is
what they showed until this revision, and from here on it no longer moves.
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _score(content, weights):
    total = weight_sum = 0.0
    for rating in content.get("ratings", []):
        if rating.get("score") is None:
            continue
        weight = float(weights.get(rating["dimension"], 1))
        total += weight * rating["score"]
        weight_sum += weight
    return round(total / weight_sum, 2) if weight_sum else None


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def upgrade():
    with op.batch_alter_table('feedback_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weights', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT r.id, r.content, p.rubric_weights FROM feedback_revisions r "
        "JOIN feedback f ON f.id = r.feedback_id "
        "JOIN interviews i ON i.id = f.interview_id "
        "JOIN positions p ON p.id = i.position_id"
    )).all()
    revisions = sa.table(
        'feedback_revisions', sa.column('id'), sa.column('weights', sa.JSON), sa.column('score')
    )
    for revision_id, content, weights in rows:
        weights = _json(weights)
        conn.execute(
            revisions.update().where(revisions.c.id == revision_id).values(
                weights=weights, score=_score(_json(content), weights)
            )
        )
    with op.batch_alter_table('feedback_revisions', schema=None) as batch_op:
        batch_op.alter_column('weights', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('feedback_revisions', schema=None) as batch_op:
        batch_op.drop_column('score')
        batch_op.drop_column('weights')
