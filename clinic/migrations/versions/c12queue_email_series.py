"""Email to clients, repeating assignments

Revision ID: c12queue_email_series
Revises: c11data_audit_chain
Create Date: 2026-12-03 08:02:11.119731

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12queue_email_series'
down_revision = 'c11data_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('worksheet_id', sa.String(length=60), nullable=False),
    sa.Column('every_weeks', sa.Integer(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('first_due_date', sa.Date(), nullable=False),
    sa.Column('note_to_client', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('every_weeks IN (1, 2)', name=op.f('ck_assignment_series_every_weeks_known')),
    sa.CheckConstraint('times >= 2 AND times <= 52', name=op.f('ck_assignment_series_times_range')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_assignment_series_client_id_client'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_series'))
    )
    with op.batch_alter_table('assignment_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_series_client_id'), ['client_id'], unique=False)

    op.create_table('email_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('invitation', 'reminder')", name=op.f('ck_email_delivery_kind_known')),
    sa.CheckConstraint("status IN ('queued', 'sent', 'failed', 'dropped')", name=op.f('ck_email_delivery_status_known')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_email_delivery_client_id_client'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_delivery'))
    )
    with op.batch_alter_table('email_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_delivery_client_id'), ['client_id'], unique=False)
        batch_op.create_index('uq_email_delivery_one_reminder_a_day', ['client_id', 'local_day'], unique=True, sqlite_where=sa.text("kind = 'reminder'"), postgresql_where=sa.text("kind = 'reminder'"))

    op.create_table('assignment_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("stage IN ('due_tomorrow', 'overdue')", name=op.f('ck_assignment_reminder_stage_known')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_reminder_assignment_id_assignment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['delivery_id'], ['email_delivery.id'], name=op.f('fk_assignment_reminder_delivery_id_email_delivery'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_reminder')),
    sa.UniqueConstraint('assignment_id', 'stage', name='uq_assignment_reminder_stage')
    )
    with op.batch_alter_table('assignment_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_reminder_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('series_position', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignment_series_id'), ['series_id'], unique=False)
        batch_op.create_unique_constraint('uq_assignment_series_position', ['series_id', 'series_position'])
        batch_op.create_foreign_key(batch_op.f('fk_assignment_series_id_assignment_series'), 'assignment_series', ['series_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(op.f('ck_assignment_series_position_with_series'),
                                         '(series_id IS NULL) = (series_position IS NULL)')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('email_unsubscribed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('email_unsubscribed_at')
        batch_op.drop_column('email_consent')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assignment_series_position_with_series'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_assignment_series_id_assignment_series'), type_='foreignkey')
        batch_op.drop_constraint('uq_assignment_series_position', type_='unique')
        batch_op.drop_index(batch_op.f('ix_assignment_series_id'))
        batch_op.drop_column('series_position')
        batch_op.drop_column('series_id')

    with op.batch_alter_table('assignment_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_reminder_delivery_id'))

    op.drop_table('assignment_reminder')
    with op.batch_alter_table('email_delivery', schema=None) as batch_op:
        batch_op.drop_index('uq_email_delivery_one_reminder_a_day', sqlite_where=sa.text("kind = 'reminder'"), postgresql_where=sa.text("kind = 'reminder'"))
        batch_op.drop_index(batch_op.f('ix_email_delivery_client_id'))

    op.drop_table('email_delivery')
    with op.batch_alter_table('assignment_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_series_client_id'))

    op.drop_table('assignment_series')
