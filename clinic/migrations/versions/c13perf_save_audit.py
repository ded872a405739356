"""Response audited_at: when a save of the answers was last written to the audit trail

Revision ID: c13perf_save_audit
Revises: c11totp_encrypted_secrets
Create Date: 2026-12-03 11:45:00

Autosaves are audited once per sitting (see `clinic.portal.services.save_answers`):
the save that finds `audited_at` empty or older than the sitting writes the
audit row and sets it, in the same UPDATE that stores the answers.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c13perf_save_audit'
down_revision = 'c11totp_encrypted_secrets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('audited_at')
