"""outbox: the member a message's choices are for

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 15:35:56.727599
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choices_for', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_outbox_choices_for_member', 'member', ['choices_for'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_choices_for_member', type_='foreignkey')
        batch_op.drop_column('choices_for')

