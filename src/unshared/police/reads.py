"""What the force database answers: every read query in one place, so the use cases hold no SQL.
:class:`ForceReads` is mixed into :class:`unshared.police.store.ForceStore`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from unshared.police.db import ForceDB

__all__ = ["ForceReads"]

Row = dict[str, Any]


def _dicts(names: Sequence[str], rows: list[tuple[Any, ...]]) -> list[Row]:
    return [dict(zip(names, r, strict=True)) for r in rows]


class ForceReads:
    db: ForceDB

    # ------------------------------------------------------------------ for linking
    def latest_bundles(self) -> dict[int, tuple[int, str]]:
        """case id -> (newest bundle id, case key)."""
        return {
            int(case_id): (int(bundle_id), str(key))
            for case_id, bundle_id, key in self.db.execute(
                "SELECT c.id, MAX(b.id), c.case_key FROM cases c JOIN bundles b "
                "ON b.case_id = c.id GROUP BY c.id, c.case_key"
            )
        }

    def identifier_rows(self) -> Iterator[tuple[Any, ...]]:
        """(bundle, kind, value) for every identifier seen, once per bundle."""
        yield from self.db.iterate(
            "SELECT DISTINCT s.bundle_id, e.kind, e.value FROM sightings s "
            "JOIN entities e ON e.id = s.entity_id"
        )

    def image_rows(self) -> Iterator[tuple[Any, ...]]:
        """(bundle, PDQ) for every offender picture."""
        yield from self.db.iterate("SELECT DISTINCT bundle_id, pdq FROM images")

    def text_rows(self) -> Iterator[tuple[Any, ...]]:
        """(bundle, SHA-256 of the normalised text, one text) per distinct line in a bundle."""
        yield from self.db.iterate(
            "SELECT bundle_id, norm_sha256, MIN(text) FROM messages GROUP BY bundle_id, norm_sha256"
        )

    def payment_rows(self) -> Iterator[tuple[Any, ...]]:
        """(bundle, pattern) for every payment instruction."""
        yield from self.db.iterate("SELECT DISTINCT bundle_id, pattern FROM payments")

    # ------------------------------------------------------------------ one case
    def cases_by_prefix(self, prefix: str) -> list[tuple[int, str]]:
        return [
            (int(i), str(k))
            for i, k in self.db.execute(
                "SELECT id, case_key FROM cases WHERE case_key LIKE ? ORDER BY id", (prefix + "%",)
            )
        ]

    def bundles_of(self, case_id: int) -> list[Row]:
        names = ("bundle_sha256", "seal", "log_head", "platforms", "messages", "first_at",
                 "last_at", "imported_at", "imported_by")  # fmt: skip
        return _dicts(
            names,
            self.db.execute(
                f"SELECT {', '.join(names).replace('messages', 'messages_total')} FROM bundles "
                "WHERE case_id = ? ORDER BY id",
                (case_id,),
            ),
        )

    def sightings_of(self, bundle: int) -> list[Row]:
        return _dicts(
            ("kind", "value", "message", "exhibit", "locator", "sent_at"),
            self.db.execute(
                "SELECT e.kind, e.value, s.message_no, s.exhibit, s.locator, s.sent_at "
                "FROM sightings s JOIN entities e ON e.id = s.entity_id WHERE s.bundle_id = ? "
                "ORDER BY e.kind, e.value",
                (bundle,),
            ),
        )

    def messages_of(self, bundle: int, numbers: Sequence[int] | None = None) -> list[Row]:
        """The bundle's offender messages (only ``numbers`` when given), in order."""
        where, params = "", [bundle]
        if numbers is not None:
            if not numbers:
                return []
            where = f" AND number IN ({','.join('?' for _ in numbers)})"
            params += list(numbers)
        return _dicts(
            ("number", "sender", "text", "stages", "exhibit", "locator", "sent_at"),
            self.db.execute(
                "SELECT number, sender, text, stages, exhibit, locator, sent_at FROM messages "
                f"WHERE bundle_id = ?{where} ORDER BY number",
                tuple(params),
            ),
        )

    def images_of(self, bundle: int) -> list[Row]:
        return _dicts(
            ("pdq", "quality", "sha256", "message", "exhibit", "locator", "sent_at"),
            self.db.execute(
                "SELECT pdq, quality, sha256, message_no, exhibit, locator, sent_at FROM images "
                "WHERE bundle_id = ?",
                (bundle,),
            ),
        )

    def payments_of(self, bundle: int) -> list[Row]:
        return _dicts(
            ("method", "amount", "currency", "deadline", "message", "pattern"),
            self.db.execute(
                "SELECT method, amount, currency, deadline, message_no, pattern FROM payments "
                "WHERE bundle_id = ?",
                (bundle,),
            ),
        )

    # ------------------------------------------------------------------ across cases
    def entity_sightings(self, values: Sequence[str]) -> list[Row]:
        marks = ",".join("?" for _ in values)
        return _dicts(
            ("kind", "value", "case_key", "message", "exhibit", "locator", "sent_at"),
            self.db.execute(
                "SELECT e.kind, e.value, c.case_key, s.message_no, s.exhibit, s.locator, "
                "s.sent_at FROM entities e JOIN sightings s ON s.entity_id = e.id "
                "JOIN bundles b ON b.id = s.bundle_id JOIN cases c ON c.id = b.case_id "
                f"WHERE e.value IN ({marks}) ORDER BY c.id, s.message_no",
                tuple(values),
            ),
        )

    def offender_values(self) -> tuple[list[tuple[str, str]], list[str]]:
        """Every offender identifier (kind, value) and every offender picture's PDQ."""
        idents = [(str(k), str(v)) for k, v in self.db.execute("SELECT kind, value FROM entities")]
        pdqs = [str(p) for (p,) in self.db.execute("SELECT DISTINCT pdq FROM images")]
        return idents, pdqs

    def counts(self) -> dict[str, int]:
        return {
            table: int(self.db.execute(f"SELECT COUNT(*) FROM {table}")[0][0])
            for table in ("cases", "bundles", "entities", "messages", "images")
        }
