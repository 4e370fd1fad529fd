"""The read models every node keeps (see node/views.py for how they are maintained)."""

from __future__ import annotations

from node.assistance_board import AssistanceBoard
from node.review_board import ReviewBoard
from node.screening_index import ScreeningIndex
from node.views import ReadModel

MODELS: tuple[type[ReadModel], ...] = (ScreeningIndex, AssistanceBoard, ReviewBoard)
