"""Persistence: SQLModel tables, repository functions, session scope and Alembic migrations."""
