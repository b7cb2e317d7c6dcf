"""Helpers of the tests that touch the data layer: an isolated environment (no mirror, a private cache,
no proxy for a local server) and a local port nothing listens on."""

from __future__ import annotations

import socket

from tlrepro import data


def isolate_data(monkeypatch, tmp_path) -> None:
    """No mirror from the environment, a private cache, no proxy for the local server."""
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "user-cache"))
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def closed_port() -> int:
    """A local TCP port with no server (a connection to it is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
