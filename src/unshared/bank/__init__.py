"""The hash bank: a store (SQLite or PostgreSQL), an index, a service with its HTTP API, a client,
and an adapter to ThreatExchange. Reached from the shells through :mod:`unshared.usecases.bank`."""

__all__ = ["api", "client", "exchange", "index", "service", "signals", "sql", "store"]
