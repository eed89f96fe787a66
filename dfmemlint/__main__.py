from __future__ import annotations

from dfmemlint.console import main

if __name__ == "__main__":
    raise SystemExit(main())
