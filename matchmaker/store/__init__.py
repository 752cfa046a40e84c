"""Persistence: SQLAlchemy engine, sessions, ORM tables and Alembic migrations."""
