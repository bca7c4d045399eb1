"""Widget entries: one person's own data on one widget, for widget types and plugins
that store per-reader data without a table of their own.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "widget_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("widget_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page_id", "widget_id", "person_id"),
    )
    with op.batch_alter_table("widget_entry") as batch:
        batch.create_index("ix_widget_entry_page_id", ["page_id"], unique=False)
        batch.create_index("ix_widget_entry_person_id", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("widget_entry") as batch:
        batch.drop_index("ix_widget_entry_person_id")
        batch.drop_index("ix_widget_entry_page_id")
    op.drop_table("widget_entry")
