"""Documents: each organization's folders (shared, internal, received), documents
with versions, dropsite batches; a stored file's scan verdict; shares of library
documents and dropsites (an organization instead of a page).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "document_folder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("area", S(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", S(length=120), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_day", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("deleted_at", T(), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["document_folder.id"]),
        sa.ForeignKeyConstraint(["sender_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["deleted_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_document_folder_place", "document_folder", ["organization_id", "area", "parent_id"]
    )
    op.create_index("ix_document_folder_parent_id", "document_folder", ["parent_id"])
    op.create_table(
        "dropsite_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("widget_id", S(length=40), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", S(length=120), nullable=False),
        sa.Column("sender_email", S(length=254), nullable=False),
        sa.Column("message", S(length=2000), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("finished_at", T(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["uploader_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"]),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dropsite_batch_organization_id", "dropsite_batch", ["organization_id"])
    op.create_index("ix_dropsite_batch_uploader_id", "dropsite_batch", ["uploader_id"])
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("area", S(length=16), nullable=False),
        sa.Column("name", S(length=255), nullable=False),
        sa.Column("name_key", S(length=255), nullable=False),
        sa.Column("current_file_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
        sa.Column("deleted_at", T(), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["folder_id"], ["document_folder.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["current_file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["dropsite_batch.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["deleted_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_folder_name", "document", ["folder_id", "name_key"])
    op.create_index("ix_document_organization_id", "document", ["organization_id"])
    op.create_index("ix_document_batch_id", "document", ["batch_id"])
    with op.batch_alter_table("stored_file") as batch:
        batch.add_column(
            sa.Column("scan_status", S(length=16), nullable=False, server_default="unscanned")
        )
        batch.add_column(sa.Column("scan_detail", S(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("share") as batch:
        batch.alter_column("page_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_share_organization_id", "organization", ["organization_id"], ["id"]
        )
        batch.create_index("ix_share_organization_id", ["organization_id"])


def downgrade() -> None:
    with op.batch_alter_table("share") as batch:
        batch.drop_index("ix_share_organization_id")
        batch.drop_constraint("fk_share_organization_id", type_="foreignkey")
        batch.drop_column("organization_id")
        batch.alter_column("page_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("stored_file") as batch:
        batch.drop_column("scan_detail")
        batch.drop_column("scan_status")
    op.drop_table("document")
    op.drop_table("dropsite_batch")
    op.drop_table("document_folder")
