"""indexes for the recruiting lists and their search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 18:00:00

On every engine: candidates.erased_at (the "not erased" check of every list) and the
dashboard's per-author scorecard lists. On PostgreSQL only: the pg_trgm extension, trigram
GIN indexes for the substring searches (lower(column) LIKE '%term%'), and lower(name), id for
the candidate list's default order. pg_trgm is a trusted extension (PostgreSQL 13+): the
database owner may create it without superuser rights.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = [
    ('ix_candidates_name_trgm', 'candidates', 'name'),
    ('ix_candidates_email_trgm', 'candidates', 'email'),
    ('ix_positions_title_trgm', 'positions', 'title'),
    ('ix_companies_name_trgm', 'companies', 'name'),
]


def is_postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    op.create_index('ix_candidates_erased_at', 'candidates', ['erased_at'])
    op.create_index(
        'ix_feedback_author_state_updated', 'feedback', ['author_id', 'state', 'updated_at']
    )
    op.create_index(
        'ix_feedback_author_state_released', 'feedback', ['author_id', 'state', 'released_at']
    )
    if not is_postgresql():
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table, column in TRIGRAM_INDEXES:
        op.create_index(
            name, table, [sa.text(f'lower({column}) gin_trgm_ops')], postgresql_using='gin'
        )
    op.create_index('ix_candidates_lower_name', 'candidates', [sa.text('lower(name)'), 'id'])


def downgrade():
    if is_postgresql():
        op.drop_index('ix_candidates_lower_name', table_name='candidates')
        for name, table, _column in reversed(TRIGRAM_INDEXES):
            op.drop_index(name, table_name=table)
        # The pg_trgm extension stays: other schemas in the database may use it.
    op.drop_index('ix_feedback_author_state_released', table_name='feedback')
    op.drop_index('ix_feedback_author_state_updated', table_name='feedback')
    op.drop_index('ix_candidates_erased_at', table_name='candidates')
