"""sample plugin: initial tables (its own Alembic branch).

Revision ID: sample_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sample_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("sample",)
depends_on: str | Sequence[str] | None = "core_0001"


def upgrade() -> None:
    op.create_table(
        "sample_lifecycle_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "tenant_id", sa.Uuid(), sa.ForeignKey("core_tenants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("hook", sa.String(30), nullable=False),
    )
    op.create_table(
        "sample_job_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(40), nullable=True),
        sa.Column("label", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sample_job_runs")
    op.drop_table("sample_lifecycle_log")
