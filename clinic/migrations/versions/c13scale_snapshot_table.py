"""Snapshots in their own table, once per distinct definition; the clinician on each status event

Revision ID: c13scale_snapshot_table
Revises: c13scale_list_indexes
Create Date: 2026-12-03 08:30:00

"""
from alembic import op
import sqlalchemy as sa

from clinic.models import IS_OPEN_SQL, WorksheetSnapshot


# revision identifiers, used by Alembic.
revision = 'c13scale_snapshot_table'
down_revision = 'c13scale_list_indexes'
branch_labels = None
depends_on = None

assignment = sa.table('assignment', sa.column('id', sa.Integer), sa.column('definition_snapshot', sa.JSON),
                      sa.column('snapshot_id', sa.Integer))
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
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
    _move_snapshots_out()
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('snapshot_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignment_snapshot_id_worksheet_snapshot'), 'worksheet_snapshot',
                                    ['snapshot_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('definition_snapshot')
    _keep_open_copies_unique()

    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinician_id', sa.Integer(), nullable=True))
    op.execute("UPDATE assignment_event SET clinician_id = (SELECT client.clinician_id FROM assignment "
               "JOIN client ON client.id = assignment.client_id WHERE assignment.id = assignment_event.assignment_id)")
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.alter_column('clinician_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignment_event_clinician_id_clinician'), 'clinician',
                                    ['clinician_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_index('ix_assignment_event_at')
        batch_op.create_index('ix_assignment_event_clinician_at', ['clinician_id', 'at', 'id'], unique=False)


def _move_snapshots_out():
    """Each distinct definition once into worksheet_snapshot, and each assignment pointing at its own."""
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
            connection.execute(sa.update(assignment).where(assignment.c.id == assignment_id)
                               .values(snapshot_id=ids_by_digest[digest]))
        last = rows[-1][0]


def _keep_open_copies_unique():
    """SQLite's batch mode rebuilds the table without the partial index's condition: make it again, whole."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS uq_assignment_open_worksheet")
        op.create_index('uq_assignment_open_worksheet', 'assignment', ['client_id', 'worksheet_id'], unique=True,
                        sqlite_where=sa.text(IS_OPEN_SQL))


def downgrade():
    with op.batch_alter_table('assignment_event', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_event_clinician_at')
        batch_op.create_index('ix_assignment_event_at', ['at', 'id'], unique=False)
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
        batch_op.drop_constraint(batch_op.f('fk_assignment_snapshot_id_worksheet_snapshot'), type_='foreignkey')
        batch_op.drop_column('snapshot_id')
    _keep_open_copies_unique()
    op.drop_table('worksheet_snapshot')
