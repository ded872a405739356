"""The database keeps its promises: one open copy of a worksheet per client, a hash-chained audit trail that refuses TRUNCATE

Revision ID: c11data_database_promises
Revises: 79a070f00fc1
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa

from clinic.models import AUDIT_NO_TRUNCATE, IS_OPEN_SQL


# revision identifiers, used by Alembic.
revision = 'c11data_database_promises'
down_revision = '79a070f00fc1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('uq_assignment_open_worksheet', ['client_id', 'worksheet_id'], unique=True,
                              sqlite_where=sa.text(IS_OPEN_SQL), postgresql_where=sa.text(IS_OPEN_SQL))
    # Plain ADD COLUMN (no table copy): the audit table's triggers stay as they are.
    op.add_column('audit_event', sa.Column('previous_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('hash', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(AUDIT_NO_TRUNCATE)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_event_no_truncate ON audit_event')
    op.drop_column('audit_event', 'hash')
    op.drop_column('audit_event', 'previous_hash')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_assignment_open_worksheet')
