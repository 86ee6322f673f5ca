"""Named points where a test can freeze the close, to kill it there and inspect what is left.

Inert unless KPI_PAUSE_AT names the point: the close then writes the point's name to the file
KPI_PAUSE_MARKER and sleeps, so the test knows exactly where the process dies.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("extract", "checks:<suite>", "publish", "published", "rollback")


def pause_here(point: str) -> None:
    if os.environ.get("KPI_PAUSE_AT") != point:
        return
    Path(os.environ["KPI_PAUSE_MARKER"]).write_text(point, encoding="utf-8")
    time.sleep(3600)
