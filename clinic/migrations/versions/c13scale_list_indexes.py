"""Lists without snapshots: the title on the assignment, indexes for counts, pages and recent activity

Revision ID: c13scale_list_indexes
Revises: c11data_database_promises
Create Date: 2026-12-03 08:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c13scale_list_indexes'
down_revision = 'c11data_database_promises'
branch_labels = None
depends_on = None

TITLE_FROM_SNAPSHOT = {
    "sqlite": "json_extract(definition_snapshot, '$.title')",
    "postgresql": "definition_snapshot ->> 'title'",
}


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.Text(), nullable=True))
    title = TITLE_FROM_SNAPSHOT[op.get_bind().dialect.name]
    op.execute(f"UPDATE assignment SET title = COALESCE({title}, worksheet_id)")
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.Text(), nullable=False)
        batch_op.drop_index('ix_assignment_client_id')
        batch_op.create_index('ix_assignment_client_status_due',
                              ['client_id', 'status', 'due_date', 'status_changed_at'], unique=False)
        batch_op.create_index('ix_assignment_client_created', ['client_id', 'created_at', 'id'], unique=False)
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_event_at', ['at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_event_at')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_client_created')
        batch_op.drop_index('ix_assignment_client_status_due')
        batch_op.create_index('ix_assignment_client_id', ['client_id'], unique=False)
        batch_op.drop_column('title')
