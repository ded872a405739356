"""Index what the dashboard lists (waiting and overdue worksheets), so its time stays flat as history grows

Revision ID: c15dashboard_lists_indexes
Revises: c13perf_practice_plans
Create Date: 2026-12-03 15:00:00

The review queue grouped every waiting worksheet of a clinician into lines (a
series' copies on one) and then paged: 16 ms on SQLite, 10 ms on PostgreSQL
with 100,000 assignments. Its lines are now picked and counted from a partial
index of waiting worksheets alone (client, status, series, id), and copies are
counted for the page's series only. The overdue count read, on PostgreSQL,
every past due date of a client and tested the status of each; a partial
index of worksheets still to do, by due date, reads only those.
"""
from alembic import op
import sqlalchemy as sa

from clinic.models import IS_OPEN_SQL, IS_WAITING_SQL


revision = 'c15dashboard_lists_indexes'
down_revision = 'c13perf_practice_plans'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_open_due', ['client_id', 'due_date'], unique=False,
                              sqlite_where=sa.text(IS_OPEN_SQL), postgresql_where=sa.text(IS_OPEN_SQL))
        batch_op.create_index('ix_assignment_waiting', ['client_id', 'status', 'series_id', 'id'], unique=False,
                              sqlite_where=sa.text(IS_WAITING_SQL), postgresql_where=sa.text(IS_WAITING_SQL))


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_waiting')
        batch_op.drop_index('ix_assignment_open_due')
