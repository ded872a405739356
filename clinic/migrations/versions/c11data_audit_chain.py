"""The audit trail is hash-chained and refuses TRUNCATE; clients can be erased

Revision ID: c11data_audit_chain
Revises: c11links_portal_sessions
Create Date: 2026-12-03 08:30:00

"""
from alembic import op
import sqlalchemy as sa

from clinic.models import AUDIT_NO_TRUNCATE


# revision identifiers, used by Alembic.
revision = 'c11data_audit_chain'
down_revision = 'c11links_portal_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy): the audit table's triggers stay as they are.
    op.add_column('audit_event', sa.Column('previous_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('hash', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(AUDIT_NO_TRUNCATE)
    op.add_column('client', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('client', 'erased_at')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_event_no_truncate ON audit_event')
    op.drop_column('audit_event', 'hash')
    op.drop_column('audit_event', 'previous_hash')
