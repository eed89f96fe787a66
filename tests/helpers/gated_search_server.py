"""``dfmemlint server`` whose workspace search waits until a file ``search-gate`` exists in the
first workspace folder (tests/test_server_search.py opens that gate when it has seen what must
not wait for the search)."""

from __future__ import annotations

import os
import time

from dfmemlint.server import workspace
from dfmemlint.server.protocol import main

GATE = "search-gate"
_search = workspace.WorkspaceManifests._search


def _gated_search(manifests: workspace.WorkspaceManifests) -> None:
    roots = manifests._roots
    while roots and not os.path.exists(os.path.join(roots[0], GATE)):
        time.sleep(0.01)
    _search(manifests)


if __name__ == "__main__":
    workspace.WorkspaceManifests._search = _gated_search  # type: ignore[method-assign,assignment]
    raise SystemExit(main())
