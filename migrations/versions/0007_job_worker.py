"""jobs record which worker runs them since when, so abandoned ones are found again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('worker')
        batch_op.drop_column('started_at')
