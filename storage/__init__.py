"""Persistence: SQLAlchemy models, repositories, migrations, ids and media."""
