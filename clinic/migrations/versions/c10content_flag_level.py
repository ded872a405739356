"""Assignment flag level: the most urgent flag raised when the answers were sent

Revision ID: c10content_flag_level
Revises: c12queue_email_series
Create Date: 2026-12-03 08:15:00

Worksheets already sent get their level from their own snapshot and answers,
so a safety flag raised before this change shows on the dashboard too. The
level joins the index the client counts are read from.
"""
from alembic import op
import sqlalchemy as sa

from clinic.worksheets import Definition, evaluate


revision = 'c10content_flag_level'
down_revision = 'c12queue_email_series'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_level', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint('flag_level_known', "flag_level IN ('safety', 'attention')")
        batch_op.drop_index('ix_assignment_client_status_due')
        batch_op.create_index('ix_assignment_client_status_due',
                              ['client_id', 'status', 'due_date', 'status_changed_at', 'flag_level'], unique=False)

    assignment = sa.table('assignment', sa.column('id', sa.Integer), sa.column('status', sa.String),
                          sa.column('snapshot_id', sa.Integer), sa.column('flag_level', sa.String))
    snapshot = sa.table('worksheet_snapshot', sa.column('id', sa.Integer), sa.column('definition', sa.JSON))
    response = sa.table('response', sa.column('assignment_id', sa.Integer), sa.column('answers', sa.JSON))
    connection = op.get_bind()
    sent = connection.execute(
        sa.select(assignment.c.id, snapshot.c.definition, response.c.answers)
        .join(snapshot, snapshot.c.id == assignment.c.snapshot_id)
        .join(response, response.c.assignment_id == assignment.c.id)
        .where(assignment.c.status.in_(('submitted', 'reviewed')))
    ).all()
    for assignment_id, definition, answers in sent:
        level = evaluate(Definition.from_snapshot(definition), answers or {}).highest_level
        if level is not None:
            connection.execute(assignment.update().where(assignment.c.id == assignment_id).values(flag_level=level))


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_client_status_due')
        batch_op.create_index('ix_assignment_client_status_due',
                              ['client_id', 'status', 'due_date', 'status_changed_at'], unique=False)
        batch_op.drop_constraint('flag_level_known', type_='check')
        batch_op.drop_column('flag_level')
