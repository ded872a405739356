"""The database keeps its promises: one open copy of a worksheet per client

Revision ID: c11data_database_promises
Revises: 79a070f00fc1
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa

from clinic.models import IS_OPEN_SQL


# revision identifiers, used by Alembic.
revision = 'c11data_database_promises'
down_revision = '79a070f00fc1'
branch_labels = None
depends_on = None


def _cancel_duplicate_open_copies() -> None:
    """Before the index: where races left two open copies, keep the one touched last open.

    The others are cancelled, not deleted: their answers stay, and their history says why.
    """
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        f"SELECT id, client_id, worksheet_id, status FROM assignment WHERE {IS_OPEN_SQL} "
        "ORDER BY client_id, worksheet_id, status_changed_at DESC, id DESC")).all()
    kept = set()
    for row in rows:
        if (row.client_id, row.worksheet_id) not in kept:
            kept.add((row.client_id, row.worksheet_id))
            continue
        connection.execute(sa.text("UPDATE assignment SET status = 'cancelled', status_changed_at = CURRENT_TIMESTAMP "
                                   "WHERE id = :id"), {"id": row.id})
        connection.execute(sa.text("INSERT INTO assignment_event (assignment_id, from_status, to_status, actor, at) "
                                   "VALUES (:id, :status, 'cancelled', 'system: duplicate open copy', "
                                   "CURRENT_TIMESTAMP)"), {"id": row.id, "status": row.status})


def upgrade():
    _cancel_duplicate_open_copies()
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('uq_assignment_open_worksheet', ['client_id', 'worksheet_id'], unique=True,
                              sqlite_where=sa.text(IS_OPEN_SQL), postgresql_where=sa.text(IS_OPEN_SQL))


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_assignment_open_worksheet')
