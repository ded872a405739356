"""Client links: one unrevoked link per client, and a session version that "Leave" bumps

Revision ID: c11links_portal_sessions
Revises: c11signin_two_step
Create Date: 2026-12-03 08:10:00

Before the unique index, every client's unrevoked links but the newest are
revoked: making a new link now revokes the old one, and older data is brought
under the same rule.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c11links_portal_sessions'
down_revision = 'c11signin_two_step'
branch_labels = None
depends_on = None

UNREVOKED = "revoked_at IS NULL"


def upgrade():
    link = sa.table("portal_link", sa.column("id", sa.Integer), sa.column("client_id", sa.Integer),
                    sa.column("revoked_at", sa.DateTime(timezone=True)))
    newest = sa.select(sa.func.max(link.c.id)).where(link.c.revoked_at.is_(None)).group_by(link.c.client_id)
    op.execute(link.update().where(link.c.revoked_at.is_(None), link.c.id.not_in(newest))
               .values(revoked_at=dt.datetime.now(dt.timezone.utc)))
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_portal_link_session_version_not_negative'),
                                         'session_version >= 0')
        batch_op.create_index('uq_portal_link_one_unrevoked', ['client_id'], unique=True,
                              sqlite_where=sa.text(UNREVOKED), postgresql_where=sa.text(UNREVOKED))


def downgrade():
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.drop_index('uq_portal_link_one_unrevoked', sqlite_where=sa.text(UNREVOKED),
                            postgresql_where=sa.text(UNREVOKED))
        batch_op.drop_constraint(batch_op.f('ck_portal_link_session_version_not_negative'), type_='check')
        batch_op.drop_column('session_version')
