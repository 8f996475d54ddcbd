"""jobs can be cancelled (mail to a candidate erased before it was sent)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column(
            'status', existing_type=sa.String(length=11), type_=sa.String(length=13),
            existing_nullable=False,
        )


def downgrade():
    op.execute("UPDATE jobs SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column(
            'status', existing_type=sa.String(length=13), type_=sa.String(length=11),
            existing_nullable=False,
        )
