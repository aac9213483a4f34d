"""sample plugin: archivable notes (the archive service's tests).

Revision ID: sample_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sample_0002"
down_revision: str | None = "sample_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sample_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("retention", sa.String(10), nullable=False),
        sa.Column("org_code", sa.String(20), nullable=False),
        sa.Column("classification", sa.SmallInteger(), nullable=False),
        sa.Column("attachment_id", sa.Uuid(), nullable=True),
        sa.Column("archive_no", sa.String(80), nullable=True),
        sa.Column("archived_times", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["core_tenants.id"],
            name="fk_sample_notes_tenant_id_core_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sample_notes"),
    )


def downgrade() -> None:
    op.drop_table("sample_notes")
