"""Sign-in attempts remember the account an address tried, so an address is throttled by
how many different accounts it failed on (guessing one person's password from an office
doesn't lock the office out; trying many accounts from one address still does).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(
            sa.Column(
                "account",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("account")
