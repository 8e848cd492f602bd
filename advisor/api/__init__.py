"""The HTTP API: REST and server-sent-event chat, records, advice, catalog, admin, health, metrics."""

from advisor.api.app import create_app

__all__ = ["create_app"]
