"""cache versions: the version stamps page and session caches are keyed by; downloads are
logged once, as the `report_downloaded` audit event (always written beside the old
report_downloads row, which nothing read)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 01:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )
    with op.batch_alter_table("report_downloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_downloads_report_id"))
    op.drop_table("report_downloads")


def downgrade():
    op.create_table(
        "report_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_downloads_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_report_downloads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_downloads")),
    )
    with op.batch_alter_table("report_downloads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_downloads_report_id"), ["report_id"], unique=False
        )
    op.drop_table("cache_versions")
