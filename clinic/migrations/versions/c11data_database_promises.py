"""The database keeps its promises: one open copy of a worksheet per client

Revision ID: c11data_database_promises
Revises: 79a070f00fc1
Create Date: 2026-12-03 08:10:00

"""
import datetime

from alembic import op
import sqlalchemy as sa

from clinic.models import IS_OPEN_SQL


# revision identifiers, used by Alembic.
revision = 'c11data_database_promises'
down_revision = '79a070f00fc1'
branch_labels = None
depends_on = None


def cancel_extra_open_copies():
    """Before the index: where a race left a client two open copies of a worksheet, keep one.

    The kept copy is the one the client has started, else the latest; the others are
    cancelled (their answers stay), with the change in their history.
    """
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT id, client_id, worksheet_id, status FROM assignment WHERE {IS_OPEN_SQL} "
        "ORDER BY client_id, worksheet_id, status = 'in_progress' DESC, status_changed_at DESC, id DESC")).all()
    kept, extra = set(), []
    for row in rows:
        if (row.client_id, row.worksheet_id) in kept:
            extra.append(row)
        kept.add((row.client_id, row.worksheet_id))
    now = datetime.datetime.now(datetime.timezone.utc)
    for row in extra:
        bind.execute(sa.text("UPDATE assignment SET status = 'cancelled', status_changed_at = :now WHERE id = :id"),
                     {"now": now, "id": row.id})
        bind.execute(sa.text("INSERT INTO assignment_event (assignment_id, from_status, to_status, actor, at) "
                             "VALUES (:id, :status, 'cancelled', 'system:one open copy per client', :now)"),
                     {"id": row.id, "status": row.status, "now": now})


def upgrade():
    cancel_extra_open_copies()
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('uq_assignment_open_worksheet', ['client_id', 'worksheet_id'], unique=True,
                              sqlite_where=sa.text(IS_OPEN_SQL), postgresql_where=sa.text(IS_OPEN_SQL))


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_assignment_open_worksheet')
