"""Resources of the close: where the landing zone and the warehouse files are."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from orchestration import paths
from orchestration.warehouse import WarehouseFiles


class WarehouseResource(ConfigurableResource):
    """The landing zone read by extract and the warehouse files written by the close.

    Empty settings fall back to the project's folders (or KPI_LANDING_DIR / KPI_WAREHOUSE_DIR),
    read when the close runs.
    """

    landing_dir: str = ""
    warehouse_dir: str = ""

    def landing(self) -> Path:
        return Path(self.landing_dir) if self.landing_dir else paths.landing_dir()

    def files(self) -> WarehouseFiles:
        root = Path(self.warehouse_dir) if self.warehouse_dir else paths.warehouse_dir()
        return WarehouseFiles(root)
