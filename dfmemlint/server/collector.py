"""Python's cyclic garbage collector, kept off the path from an edit to its diagnostics.

Every lint builds a new model of the document (for a 2,000-line manifest, over a hundred
thousand node objects) and the server keeps the last one for hover and code actions. With the
collector on, each of those objects is traversed when it is young, again when it is promoted,
and again by the full collections that a whole new model per edit sets off: measured on the
benchmark's documents (``benchmarks/server_latency.py``), about 7 ms of CPU time per edit of
the manifest (a quarter of the edit) and 1 ms of the 200-line Dockerfile, in spikes. Reference
counting frees a replaced model at once, since the models hold no reference cycles (100 lints
of either document with the collector off leave a few hundred unreachable objects in all).

So the server turns the automatic collector off and collects when editing pauses
(:data:`IDLE_SECONDS` after the last edit) or, while edits keep coming, after every
:data:`EVERY_LINTS` lints, once their diagnostics are out. ``gc.freeze`` first moves what
start-up made (pygls, lsprotocol's classes, dfmemlint's modules) out of those collections
(CPython's ``gc`` documentation: "Freeze all the objects tracked by gc ... ignore all the future
collections").
"""

from __future__ import annotations

import asyncio
import gc

#: Collect when no edit came for this long (seconds).
IDLE_SECONDS = 1.0
#: Collect after this many lints even while edits keep coming.
EVERY_LINTS = 100


class Collector:
    """When the server collects garbage; its methods run on the event loop."""

    def __init__(self) -> None:
        self.active = False
        self.lints = 0
        self.collections = 0
        self._idle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Freeze what start-up made and turn the automatic collector off."""
        gc.collect()
        gc.freeze()
        gc.disable()
        self.active = True

    def edited(self) -> None:
        """An edit came: the idle collection waits for the next pause."""
        if not self.active:
            return
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, self.collect)

    def linted(self) -> None:
        """A lint was published; every EVERY_LINTS of them, collect (after this one's
        diagnostics were written)."""
        if not self.active:
            return
        self.lints += 1
        if self.lints >= EVERY_LINTS:
            self.lints = 0
            asyncio.get_running_loop().call_soon(self.collect)

    def collect(self) -> None:
        self._idle = None
        self.lints = 0
        self.collections += 1
        gc.collect()
