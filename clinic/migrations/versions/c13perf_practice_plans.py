"""Drop ix_assignment_status_changed (no query reads across practices by status); index a client's latest changes

Revision ID: c13perf_practice_plans
Revises: c13perf_save_audit
Create Date: 2026-12-03 12:00:00

Every list by status is one clinician's or one client's. With an index on
(status, status_changed_at) across all practices, SQLite planned a
clinician's waiting and overdue lists as a walk over every practice's sent
worksheets (50 ms at 100,000 assignments) instead of through their clients
(ix_assignment_client_status_due). A client's most recently changed
worksheets (the packet's choices, the portal's sent list) are read from
(client_id, status_changed_at, id) until the page is full, instead of
sorting every worksheet the client ever had.
"""
from alembic import op


revision = 'c13perf_practice_plans'
down_revision = 'c13perf_save_audit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_status_changed')
        batch_op.create_index('ix_assignment_client_changed', ['client_id', 'status_changed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_client_changed')
        batch_op.create_index('ix_assignment_status_changed', ['status', 'status_changed_at'], unique=False)
