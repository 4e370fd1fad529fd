"""The read models every node keeps (see node/views.py for how they are maintained)."""

from __future__ import annotations

from node.screening import ScreeningIndex
from node.views import ReadModel

MODELS: tuple[type[ReadModel], ...] = (ScreeningIndex,)
