"""Helpers for the bank tests: a real ``unshared bank serve`` subprocess on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveBank:
    url: str
    db: str
    process: subprocess.Popen[bytes]

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=10)


def start_bank(db: str, port: int | None = None, sync_interval: float = 0.2) -> LiveBank:
    """``unshared bank serve`` as a real subprocess on a loopback port; waits until it answers."""
    import httpx

    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "unshared", "bank", "serve", "--db", db, "--port", str(port)]
    cmd += ["--sync-interval", str(sync_interval)]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the bank did not start: {err}")
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return LiveBank(url, db, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the bank did not answer within 30 s")


def _test_client() -> type[TestClient]:
    import warnings

    # Starlette 1.x warns that its TestClient wants the httpx2 fork; httpx works as it is.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient


if TYPE_CHECKING:
    from fastapi.testclient import TestClient as TestClient
else:
    TestClient = _test_client()


def as_httpx(client: TestClient) -> httpx.Client:
    """``client`` where BankClient takes an httpx.Client: Starlette 1.x types its TestClient as an
    httpx2.Client, another class with the same calls BankClient makes."""
    return cast("httpx.Client", client)
