"""Sharing: guest, web and secured links, their access log, guest sessions and the
portal's sharing policy; a guest's comment shown by staff to everyone on the page.

Revision ID: 0008
Revises: 0007
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("item_type", S(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", S(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("password_hash", S(length=128), nullable=True),
        sa.Column("contribute", sa.Boolean(), nullable=False),
        sa.Column("guest_user_id", sa.Integer(), nullable=True),
        sa.Column("guest_email", S(length=254), nullable=False),
        sa.Column("message", S(length=2000), nullable=False),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("use_count", sa.Integer(), nullable=False),
        sa.Column("download_limit", sa.Integer(), nullable=True),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("notify_first_open", sa.Boolean(), nullable=False),
        sa.Column("first_opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["guest_user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_share_kind", "share", ["kind"])
    op.create_index("ix_share_page_id", "share", ["page_id"])
    op.create_index("ix_share_token_hash", "share", ["token_hash"], unique=True)
    op.create_index("ix_share_created_by", "share", ["created_by"])
    op.create_index("ix_share_status", "share", ["status"])
    op.create_table(
        "share_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ip", S(length=64), nullable=False),
        sa.Column("user_agent", S(length=300), nullable=False),
        sa.Column("what", S(length=300), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_share_access_share_id", "share_access", ["share_id"])
    op.create_table(
        "share_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", S(length=64), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_share_session_token_hash", "share_session", ["token_hash"], unique=True)
    op.create_index("ix_share_session_share_id", "share_session", ["share_id"])
    op.create_table(
        "sharing_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("default_expiry_days", sa.Integer(), nullable=False),
        sa.Column("max_expiry_days", sa.Integer(), nullable=False),
        sa.Column("web_password_required", sa.Boolean(), nullable=False),
        sa.Column("signing_key", S(length=64), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    policy = sa.table(
        "sharing_policy",
        sa.column("id", sa.Integer()),
        sa.column("default_expiry_days", sa.Integer()),
        sa.column("max_expiry_days", sa.Integer()),
        sa.column("web_password_required", sa.Boolean()),
        sa.column("signing_key", sa.String()),
        sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    with op.batch_alter_table("widget_comment") as batch:
        batch.add_column(
            sa.Column("shown_to_page", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.bulk_insert(
        policy,
        [
            {
                "id": 1,
                "default_expiry_days": 30,
                "max_expiry_days": 365,
                "web_password_required": False,
                "signing_key": secrets.token_urlsafe(32),
                "updated_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("widget_comment") as batch:
        batch.drop_column("shown_to_page")
    op.drop_table("sharing_policy")
    op.drop_index("ix_share_session_share_id", "share_session")
    op.drop_index("ix_share_session_token_hash", "share_session")
    op.drop_table("share_session")
    op.drop_index("ix_share_access_share_id", "share_access")
    op.drop_table("share_access")
    for name in ("status", "created_by", "token_hash", "page_id", "kind"):
        op.drop_index(f"ix_share_{name}", "share")
    op.drop_table("share")
