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


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('uq_assignment_open_worksheet', ['client_id', 'worksheet_id'], unique=True,
                              sqlite_where=sa.text(IS_OPEN_SQL), postgresql_where=sa.text(IS_OPEN_SQL))


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_assignment_open_worksheet')
