"""The issue tracker: issues, their entries (replies, internal notes, change events),
configurable statuses (seeded New, Open, Waiting on client, Resolved, Closed),
categories, priorities (seeded Low, Normal, High, Urgent with business-hours targets),
custom fields, saved views and each organization's issue settings.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    status = op.create_table(
        "issue_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", S(length=32), nullable=False),
        sa.Column("label", S(length=60), nullable=False),
        sa.Column("client_visible", sa.Boolean(), nullable=False),
        sa.Column("client_label", S(length=60), nullable=False),
        sa.Column("is_resolved", sa.Boolean(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    category = op.create_table(
        "issue_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    priority = op.create_table(
        "issue_priority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", S(length=32), nullable=False),
        sa.Column("label", S(length=60), nullable=False),
        sa.Column("first_response_hours", sa.Integer(), nullable=True),
        sa.Column("resolution_hours", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "issue_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", S(length=80), nullable=False),
        sa.Column("field_type", S(length=16), nullable=False),
        sa.Column("options", S(length=4000), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "issue_settings",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("clients_see_all", sa.Boolean(), nullable=False),
        sa.Column("reopen_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    op.create_table(
        "issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("title", S(length=200), nullable=False),
        sa.Column("description_html", S(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("waiting_on", S(length=8), nullable=False),
        sa.Column("public_fields", S(), nullable=False),
        sa.Column("internal_fields", S(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
        sa.Column("first_response_at", T(), nullable=True),
        sa.Column("resolved_at", T(), nullable=True),
        sa.Column("closed_at", T(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["reporter_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["category_id"], ["issue_category.id"]),
        sa.ForeignKeyConstraint(["priority_id"], ["issue_priority.id"]),
        sa.ForeignKeyConstraint(["status_id"], ["issue_status.id"]),
        sa.ForeignKeyConstraint(["assignee_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "number", name="uq_issue_organization_number"),
    )
    op.create_index("ix_issue_organization_id", "issue", ["organization_id"])
    op.create_index("ix_issue_reporter_id", "issue", ["reporter_id"])
    op.create_index("ix_issue_assignee_id", "issue", ["assignee_id"])
    op.create_index("ix_issue_status_updated", "issue", ["status_id", "updated_at"])
    op.create_table(
        "issue_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=8), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body_html", S(), nullable=False),
        sa.Column("change", S(length=2000), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["issue.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_issue_entry_issue_id", "issue_entry", ["issue_id"])
    op.create_table(
        "issue_saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=80), nullable=False),
        sa.Column("filters", S(length=4000), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_issue_saved_view_owner_id", "issue_saved_view", ["owner_id"])
    op.bulk_insert(
        status,
        [
            {
                "key": k,
                "label": label,
                "client_visible": v,
                "client_label": cl,
                "is_resolved": r,
                "is_closed": c,
                "position": i,
            }
            for i, (k, label, v, cl, r, c) in enumerate(
                [
                    ("new", "New", True, "", False, False),
                    ("open", "Open", True, "", False, False),
                    ("waiting", "Waiting on client", True, "", False, False),
                    ("resolved", "Resolved", True, "", True, False),
                    ("closed", "Closed", True, "", True, True),
                ]
            )
        ],
    )
    op.bulk_insert(
        priority,
        [
            {
                "key": k,
                "label": label,
                "first_response_hours": f,
                "resolution_hours": r,
                "position": i,
            }
            for i, (k, label, f, r) in enumerate(
                [
                    ("low", "Low", 16, 80),
                    ("normal", "Normal", 8, 40),
                    ("high", "High", 4, 16),
                    ("urgent", "Urgent", 1, 8),
                ]
            )
        ],
    )
    op.bulk_insert(category, [{"name": "General", "position": 0}])


def downgrade() -> None:
    op.drop_table("issue_saved_view")
    op.drop_table("issue_entry")
    op.drop_table("issue")
    op.drop_table("issue_settings")
    op.drop_table("issue_field")
    op.drop_table("issue_priority")
    op.drop_table("issue_category")
    op.drop_table("issue_status")
