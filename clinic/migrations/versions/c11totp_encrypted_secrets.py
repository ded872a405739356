"""TOTP secrets encrypted at rest, under a key derived from the app's secret key

Revision ID: c11totp_encrypted_secrets
Revises: c10content_flag_level
Create Date: 2026-12-03 09:00:00

Widens clinician.totp_secret for the encrypted form and encrypts the secrets
already stored, with the secret key of the app running the migration: run
`flask db upgrade` with the app's own GROUNDWORK_SECRET_KEY or instance/secret_key.
Clinicians who set up two-step sign-in before keep their authenticator app.
Downgrading decrypts them again, and stops, changing nothing, if one cannot be
decrypted with the secret key (or SECRET_KEY_FALLBACKS).
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from clinic.auth.totp_encryption import SecretUnreadable, app_secret_keys, decrypt_secret, encrypt_secret


revision = 'c11totp_encrypted_secrets'
down_revision = 'c10content_flag_level'
branch_labels = None
depends_on = None

clinician = sa.table('clinician', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _rewrite_secrets(change):
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(clinician.c.id, clinician.c.totp_secret).where(clinician.c.totp_secret.is_not(None))).all()
    for clinician_id, value in stored:
        connection.execute(
            clinician.update().where(clinician.c.id == clinician_id).values(totp_secret=change(clinician_id, value)))


def upgrade():
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    _rewrite_secrets(lambda clinician_id, secret: encrypt_secret(secret, current_app.secret_key))


def downgrade():
    def decrypt(clinician_id, stored):
        try:
            return decrypt_secret(stored, app_secret_keys())
        except SecretUnreadable:
            raise RuntimeError(
                f"clinician {clinician_id}'s TOTP secret cannot be decrypted with this secret key: downgrade with "
                "the key it was encrypted under, or run `flask reset-2fa` for them first") from None

    _rewrite_secrets(decrypt)
    with op.batch_alter_table('clinician', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
