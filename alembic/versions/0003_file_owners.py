"""stored files have a generic owner: (owner_type, owner_id) instead of (page_id, widget_id)

Existing files move to owner ("widget", "<page_id>:<widget_id>"); ``stored_name``
becomes ``storage_key`` (the same values: the bytes don't move). Downgrading moves
widget files back and refuses while any file has another kind of owner (those can't be
expressed in the old table).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The table as this migration reads and writes it (never the current model).
stored_file = sa.table(
    "stored_file",
    sa.column("id", sa.Integer),
    sa.column("page_id", sa.Integer),
    sa.column("widget_id", sa.String),
    sa.column("owner_type", sa.String),
    sa.column("owner_id", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )

    op.execute(
        stored_file.update().values(
            owner_type="widget",
            owner_id=sa.cast(stored_file.c.page_id, sa.String) + ":" + stored_file.c.widget_id,
        )
    )

    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.alter_column(
            "owner_type", existing_type=sa.String(length=32), nullable=False
        )
        batch_op.alter_column(
            "owner_id", existing_type=sa.String(length=80), nullable=False
        )
        batch_op.alter_column(
            "stored_name",
            new_column_name="storage_key",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
        batch_op.drop_index("ix_stored_file_page_id")
        batch_op.drop_index("ix_stored_file_widget_id")
        # Dropping page_id drops its foreign key too (PostgreSQL; SQLite's batch copy
        # leaves out constraints on dropped columns).
        batch_op.drop_column("page_id")
        batch_op.drop_column("widget_id")
        batch_op.create_index("ix_stored_file_owner", ["owner_type", "owner_id"], unique=False)
    _rename_unique_constraint("stored_file_stored_name_key", "stored_file_storage_key_key")


def _rename_unique_constraint(old: str, new: str) -> None:
    # PostgreSQL keeps a constraint's name when its column is renamed: follow the
    # column, so the name says what it guards. (SQLite's constraint has no name.)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE stored_file RENAME CONSTRAINT {old} TO {new}")


def downgrade() -> None:
    connection = op.get_bind()
    others = connection.execute(
        sa.select(sa.func.count()).where(stored_file.c.owner_type != "widget")
    ).scalar()
    if others:
        raise RuntimeError(
            f"{others} stored files belong to something other than a widget; the "
            "previous schema can't hold them. Move or delete them before downgrading."
        )

    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("widget_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )

    # Split "<page_id>:<widget_id>" in Python: SQLite and PostgreSQL share no function
    # for it.
    rows = connection.execute(sa.select(stored_file.c.id, stored_file.c.owner_id)).all()
    moved = []
    for file_id, owner_id in rows:
        page_id, _, widget_id = owner_id.partition(":")
        moved.append({"file": file_id, "page": int(page_id), "widget": widget_id})
    if moved:
        connection.execute(
            stored_file.update()
            .where(stored_file.c.id == sa.bindparam("file"))
            .values(page_id=sa.bindparam("page"), widget_id=sa.bindparam("widget")),
            moved,
        )

    _rename_unique_constraint("stored_file_storage_key_key", "stored_file_stored_name_key")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_file_owner")
        batch_op.alter_column("page_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "widget_id", existing_type=sa.String(length=32), nullable=False
        )
        batch_op.alter_column(
            "storage_key",
            new_column_name="stored_name",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
        batch_op.create_foreign_key("stored_file_page_id_fkey", "page", ["page_id"], ["id"])
        batch_op.create_index("ix_stored_file_page_id", ["page_id"], unique=False)
        batch_op.create_index("ix_stored_file_widget_id", ["widget_id"], unique=False)
        batch_op.drop_column("owner_id")
        batch_op.drop_column("owner_type")
