"""Lists at any size: snapshots in their own table, the title on the assignment, the clinician on each event, indexes

Revision ID: c13scale_lists_at_scale
Revises: c11data_database_promises
Create Date: 2026-12-03 08:15:00

"""
from alembic import op
import sqlalchemy as sa

from clinic.models import WorksheetSnapshot


# revision identifiers, used by Alembic.
revision = 'c13scale_lists_at_scale'
down_revision = 'c11data_database_promises'
branch_labels = None
depends_on = None

assignment = sa.table('assignment', sa.column('id', sa.Integer), sa.column('definition_snapshot', sa.JSON),
                      sa.column('snapshot_id', sa.Integer), sa.column('title', sa.Text),
                      sa.column('worksheet_id', sa.String))
snapshot = sa.table('worksheet_snapshot', sa.column('id', sa.Integer), sa.column('worksheet_id', sa.String),
                    sa.column('worksheet_version', sa.Integer), sa.column('digest', sa.String),
                    sa.column('definition', sa.JSON))
BATCH = 1000


def upgrade():
    op.create_table('worksheet_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worksheet_id', sa.String(length=60), nullable=False),
    sa.Column('worksheet_version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worksheet_snapshot')),
    sa.UniqueConstraint('digest', name=op.f('uq_worksheet_snapshot_digest'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
    _move_snapshots_out()
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('snapshot_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignment_snapshot_id_worksheet_snapshot'), 'worksheet_snapshot',
                                    ['snapshot_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('definition_snapshot')
        batch_op.drop_index('ix_assignment_client_id')
        batch_op.create_index('ix_assignment_client_status_due',
                              ['client_id', 'status', 'due_date', 'status_changed_at'], unique=False)
        batch_op.create_index('ix_assignment_client_created', ['client_id', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinician_id', sa.Integer(), nullable=True))
    op.execute("UPDATE assignment_event SET clinician_id = (SELECT client.clinician_id FROM assignment "
               "JOIN client ON client.id = assignment.client_id WHERE assignment.id = assignment_event.assignment_id)")
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.alter_column('clinician_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignment_event_clinician_id_clinician'), 'clinician',
                                    ['clinician_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index('ix_assignment_event_clinician_at', ['clinician_id', 'at', 'id'], unique=False)


def _move_snapshots_out():
    """Each distinct definition once into worksheet_snapshot; each assignment points at its own and keeps its title."""
    connection = op.get_bind()
    ids_by_digest = {}
    last = 0
    while rows := connection.execute(sa.select(assignment.c.id, assignment.c.definition_snapshot)
                                     .where(assignment.c.id > last).order_by(assignment.c.id).limit(BATCH)).all():
        for assignment_id, definition in rows:
            digest = WorksheetSnapshot.digest_of(definition)
            if digest not in ids_by_digest:
                ids_by_digest[digest] = connection.execute(sa.insert(snapshot).values(
                    worksheet_id=definition["id"], worksheet_version=definition["version"], digest=digest,
                    definition=definition).returning(snapshot.c.id)).scalar_one()
            connection.execute(sa.update(assignment).where(assignment.c.id == assignment_id).values(
                snapshot_id=ids_by_digest[digest], title=definition.get("title") or assignment.c.worksheet_id))
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_event_clinician_at')
        batch_op.drop_constraint(batch_op.f('fk_assignment_event_clinician_id_clinician'), type_='foreignkey')
        batch_op.drop_column('clinician_id')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('definition_snapshot', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for snapshot_id, definition in connection.execute(sa.select(snapshot.c.id, snapshot.c.definition)).all():
        connection.execute(sa.update(assignment).where(assignment.c.snapshot_id == snapshot_id)
                           .values(definition_snapshot=definition))
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('definition_snapshot', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index('ix_assignment_client_created')
        batch_op.drop_index('ix_assignment_client_status_due')
        batch_op.create_index('ix_assignment_client_id', ['client_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_assignment_snapshot_id_worksheet_snapshot'), type_='foreignkey')
        batch_op.drop_column('snapshot_id')
        batch_op.drop_column('title')
    op.drop_table('worksheet_snapshot')
