"""The TopoJSON reader lives in the app (`graph.present.topojson`); the scripts in this
folder (and bench/) import it under this name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.present.topojson import (
    decoded_arcs,
    feature_collection,
    features,
    load,
    subset,
)

__all__ = ["decoded_arcs", "feature_collection", "features", "load", "subset"]
