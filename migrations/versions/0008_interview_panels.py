"""interview panels: members, the panel's one voice, adjusted ratings, reminders

Every existing interview becomes a panel of one: its interviewer, the lead. Existing scorecards
are members' scorecards; one written by someone else before panels existed stays theirs to
edit and release, as it was.

Downgrade: the old schema holds one scorecard per interview and author, so where a lead has
both their own scorecard and the panel's feedback, the panel's feedback (what the candidate
saw) is kept and their own scorecard removed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'panel_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_panel_members_interview_id_interviews'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_panel_members_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_members')),
        sa.UniqueConstraint('interview_id', 'user_id', name=op.f('uq_panel_members_interview_id_user_id')),
    )
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_members_interview_id'), ['interview_id'], unique=False)
        batch_op.create_index('ix_panel_members_user', ['user_id', 'interview_id'], unique=False)

    op.create_table(
        'digest_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.Column('complete', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_sends_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_sends')),
        sa.UniqueConstraint('user_id', 'day', name=op.f('uq_digest_sends_user_id_day')),
    )

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), server_default='60', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adjustment_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('member', 'panel', name='feedbackkind', native_enum=False, length=10), server_default='member', nullable=False))
        batch_op.drop_constraint('uq_feedback_interview_id_author_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_feedback_interview_id_author_id_kind'), ['interview_id', 'author_id', 'kind'])
        batch_op.create_index('uq_feedback_one_panel_voice', ['interview_id'], unique=True, sqlite_where=sa.text("kind = 'panel'"), postgresql_where=sa.text("kind = 'panel'"))

    # A panel of one per interview: everything works as before panels.
    op.execute(
        "INSERT INTO panel_members (interview_id, user_id, added_at) "
        "SELECT id, interviewer_id, created_at FROM interviews"
    )


def downgrade():
    op.execute(
        "DELETE FROM feedback WHERE kind = 'member' AND EXISTS ("
        "SELECT 1 FROM feedback p WHERE p.kind = 'panel' "
        "AND p.interview_id = feedback.interview_id AND p.author_id = feedback.author_id)"
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('uq_feedback_one_panel_voice', sqlite_where=sa.text("kind = 'panel'"), postgresql_where=sa.text("kind = 'panel'"))
        batch_op.drop_constraint(batch_op.f('uq_feedback_interview_id_author_id_kind'), type_='unique')
        batch_op.create_unique_constraint('uq_feedback_interview_id_author_id', ['interview_id', 'author_id'])
        batch_op.drop_column('kind')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('adjustment_reason')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_enabled')
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_column('duration_minutes')
    op.drop_table('digest_sends')
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_members_user')
        batch_op.drop_index(batch_op.f('ix_panel_members_interview_id'))
    op.drop_table('panel_members')
