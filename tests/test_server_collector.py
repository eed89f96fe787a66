"""The language server's garbage collection: off the typing path, at pauses and every
EVERY_LINTS lints."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from dfmemlint.server import collector
from dfmemlint.server.collector import Collector


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    monkeypatch.setattr(collector, "IDLE_SECONDS", 0.01)
    monkeypatch.setattr(collector, "EVERY_LINTS", 3)
    enabled = gc.isenabled()
    found = Collector()
    found.start()
    try:
        yield found
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def test_start_freezes_and_turns_the_collector_off(started: Collector) -> None:
    assert started.active
    assert not gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_collects_when_edits_pause(started: Collector) -> None:
    async def typing() -> None:
        for _ in range(5):
            started.edited()
            await asyncio.sleep(0)
        assert started.collections == 0  # not while edits keep coming
        await asyncio.sleep(0.1)

    asyncio.run(typing())
    assert started.collections == 1


def test_collects_every_so_many_lints(started: Collector) -> None:
    async def linting() -> None:
        for _ in range(2):
            started.linted()
        await asyncio.sleep(0)
        assert started.collections == 0
        started.linted()
        assert started.collections == 0  # after this lint's diagnostics, not before
        await asyncio.sleep(0)

    asyncio.run(linting())
    assert started.collections == 1
    assert started.lints == 0


def test_not_started_changes_nothing() -> None:
    idle = Collector()

    async def edits() -> None:
        idle.edited()
        idle.linted()
        await asyncio.sleep(0)

    asyncio.run(edits())
    assert (idle.collections, idle.lints) == (0, 0)
    assert gc.isenabled()
