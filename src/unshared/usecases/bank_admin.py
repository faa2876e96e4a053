"""Run a hash bank: serve it, and issue, list and revoke its API tokens."""

from __future__ import annotations

from contextlib import closing
from typing import Any

__all__ = ["DEFAULT_DB", "bank_app", "issue_token", "list_tokens", "revoke_token"]

DEFAULT_DB = "sqlite:///unshared-bank.sqlite3"


def bank_app(
    db: str,
    *,
    sync_interval: float = 2.0,
    webhook_allow: list[str] | tuple[str, ...] = (),
    snapshot: str | None = None,
) -> Any:
    """The bank's ASGI app over ``db`` (migrated first), ready for a server to run.
    ``webhook_allow``: hosts that webhooks may reach although they are not public;
    ``snapshot``: a folder for the index files, read at start instead of the database."""
    from pathlib import Path

    from unshared.bank.api import create_app
    from unshared.bank.sql import open_store
    from unshared.bank.webhooks import WebhookPolicy

    policy = WebhookPolicy(frozenset(webhook_allow))
    return create_app(
        open_store(db),
        sync_interval=sync_interval,
        webhooks=policy,
        snapshot=Path(snapshot) if snapshot else None,
    )


def issue_token(db: str, scope: str, name: str = "", rate: int = 600) -> str:
    """A new API token; only its hash is stored."""
    from unshared.bank.service import issue_token as issue
    from unshared.bank.sql import open_store

    with closing(open_store(db)) as store:
        return issue(store, scope, name, rate)


def list_tokens(db: str) -> list[dict[str, Any]]:
    """The bank's tokens (id, name, scope, rate, made, revoked); never the tokens themselves."""
    from unshared.bank.sql import open_store

    with closing(open_store(db)) as store:
        return list(store.list_tokens())


def revoke_token(db: str, token_id: int) -> bool:
    """Revoke a token for good; False when there is none or it was revoked already."""
    from unshared.bank.service import revoke_token as revoke
    from unshared.bank.sql import open_store

    with closing(open_store(db)) as store:
        return bool(revoke(store, token_id))
