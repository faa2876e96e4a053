"""Storage of settings, the victim's names and secrets.

Settings and names live in the log (``settings_changed``, ``victims_named``); this module folds
them into :class:`CaseSettings` and :class:`Victims`. Secrets (a bank's case token) are the only
values in the ``settings`` table, each logged as its SHA-256 (``secret_set``) so verify can check it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import apsw

from unshared.casefile.events import SecretSet, SettingsChanged, VictimsNamed
from unshared.casefile.logstore import LogStore
from unshared.casefile.settings import CaseSettings, Victims, check_setting_changes
from unshared.errors import CaseFileError
from unshared.model import Participant

__all__ = ["SettingsStore", "secret_digest"]


def secret_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class SettingsStore:
    def __init__(self, db: apsw.Connection, log: LogStore) -> None:
        self._db = db
        self._log = log

    def settings(self, *, until: int | None = None) -> CaseSettings:
        current = CaseSettings()
        for _, payload in self._log.of(SettingsChanged, until=until):
            current = current.apply(payload.changes)
        return current

    def update(self, changes: dict[str, Any]) -> CaseSettings:
        checked = check_setting_changes(changes)
        current = self.settings()
        if any(getattr(current, k) != v for k, v in checked.items()):
            with self._db:
                self._log.append(SettingsChanged(changes=checked))
        return self.settings()

    def victims(self, participants: Iterable[Participant], *, until: int | None = None) -> Victims:
        named = self._log.last(VictimsNamed, until=until)
        if named is not None:
            return Victims(named[1].names, recorded=True)
        return Victims.guessed(participants)

    def name_victims(self, names: Iterable[str]) -> Victims:
        cleaned: list[str] = []
        for name in names:
            name = name.strip()
            if name and name not in cleaned:
                cleaned.append(name)
        if not cleaned:
            raise CaseFileError("give at least one name or id that is yours")
        with self._db:
            self._log.append(VictimsNamed(names=tuple(cleaned)))
        return Victims(tuple(cleaned), recorded=True)

    def secret(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_secret(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))
            self._log.append(SecretSet(key=key, sha256=secret_digest(value)))

    def secret_rows(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT key, value FROM settings")}
