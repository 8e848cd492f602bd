"""Numbered schema migrations of the conversation store, and the runner that applies them.

Each migration is a module named ``NNNN_description.py`` with an ``upgrade(connection)``
function written against SQLAlchemy Core, so it runs on SQLite and PostgreSQL alike. A
migration defines the tables as they were at its number and never imports the ORM models,
which follow the latest schema. The table ``schema_migrations`` stores which numbers ran.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text
from sqlalchemy.engine import Connection, Engine

from advisor.errors import ConfigurationError

logger = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)$")
ADVISORY_LOCK_KEY = 7_305_118_004

version_metadata = MetaData()
schema_migrations = Table(
    "schema_migrations",
    version_metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """One numbered migration module."""

    version: int
    name: str
    module: ModuleType


def discover_migrations() -> list[Migration]:
    """Return the migrations of this package in order, checking their numbers run 1, 2, 3..."""
    migrations = []
    for info in pkgutil.iter_modules(__path__):
        match = MIGRATION_NAME.match(info.name)
        if match is None:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        migrations.append(Migration(int(match.group(1)), match.group(2), module))

    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ConfigurationError(
            f"Migration numbers must run 1, 2, 3 without gaps or repeats; found {versions}.",
            value=versions,
        )
    return migrations


def applied_versions(connection: Connection) -> set[int]:
    """Return the migration numbers already applied to the database."""
    return set(connection.execute(select(schema_migrations.c.version)).scalars())


def upgrade(engine: Engine) -> list[int]:
    """Apply every pending migration, each in its own transaction; return the numbers applied.

    On PostgreSQL a transaction-level advisory lock makes concurrent workers apply each
    migration once. SQLite serialises writers by itself.

    NOTE: only SQLite is covered by tests; the PostgreSQL lock has not run against a server.
    """
    version_metadata.create_all(engine)
    applied: list[int] = []

    for migration in discover_migrations():
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            if migration.version in applied_versions(connection):
                continue

            migration.module.upgrade(connection)
            connection.execute(
                schema_migrations.insert().values(
                    version=migration.version, name=migration.name, applied_at=datetime.now(UTC)
                )
            )
        logger.info("Applied migration %04d_%s", migration.version, migration.name)
        applied.append(migration.version)

    return applied


def current_version(engine: Engine) -> int:
    """Return the highest applied migration number, 0 for an empty database."""
    version_metadata.create_all(engine)
    with engine.connect() as connection:
        versions = applied_versions(connection)
    return max(versions, default=0)
