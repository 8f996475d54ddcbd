"""release-check acknowledgements for referral and lead notes too

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('release_acknowledgements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_id', sa.Integer(), nullable=True))
        batch_op.alter_column('feedback_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f('ix_release_acknowledgements_referral_id'), ['referral_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_release_acknowledgements_referral_id_referrals'),
            'referrals', ['referral_id'], ['id'], ondelete='CASCADE',
        )


def downgrade():
    op.execute("DELETE FROM release_acknowledgements WHERE feedback_id IS NULL")
    with op.batch_alter_table('release_acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_release_acknowledgements_referral_id_referrals'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_release_acknowledgements_referral_id'))
        batch_op.alter_column('feedback_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('referral_id')
