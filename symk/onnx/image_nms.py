"""ONNX NonMaxSuppression in numpy, for nodes whose inputs are all known at import time.

The number of boxes it keeps depends on the values, so it has no static-shape graph form: symk folds it when
boxes and scores are constants and refuses it otherwise (symk/onnx/import_ops_image.py).

    >>> select_boxes(boxes, scores, max_per_class=3, iou_threshold=0.5, score_threshold=None)   # (K, 3) int64
"""
from __future__ import annotations

from typing import Optional

import numpy as np


def corners(boxes: np.ndarray, center_point_box: bool) -> np.ndarray:
    """(..., 4) boxes as (y_min, x_min, y_max, x_max), whichever corner order or center form they came in."""
    boxes = boxes.astype(np.float64)
    if center_point_box:  # (x_center, y_center, width, height)
        x, y, w, h = np.moveaxis(boxes, -1, 0)
        return np.stack([y - h / 2, x - w / 2, y + h / 2, x + w / 2], axis=-1)
    y1, x1, y2, x2 = np.moveaxis(boxes, -1, 0)
    return np.stack([np.minimum(y1, y2), np.minimum(x1, x2), np.maximum(y1, y2), np.maximum(x1, x2)], axis=-1)


def overlaps_too_much(a: np.ndarray, b: np.ndarray, iou_threshold: float) -> bool:
    height = min(a[2], b[2]) - max(a[0], b[0])
    width = min(a[3], b[3]) - max(a[1], b[1])
    if height <= 0 or width <= 0:
        return False
    inter = height * width
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    if area_a <= 0 or area_b <= 0 or union <= 0:
        return False
    return inter / union > iou_threshold


def select_boxes(boxes: np.ndarray, scores: np.ndarray, max_per_class: int, iou_threshold: float,
                 score_threshold: Optional[float], center_point_box: bool = False) -> np.ndarray:
    """Greedy selection per batch and class: highest score first (ties: lower index first), dropping a box that
    overlaps a kept one by more than iou_threshold. Rows are (batch, class, box)."""
    boxes = corners(boxes, center_point_box)
    picked = []
    for b in range(scores.shape[0]):
        for c in range(scores.shape[1]):
            s = scores[b, c]
            order = [i for i in np.argsort(-s, kind="stable")
                     if score_threshold is None or s[i] > score_threshold]
            kept = []
            for i in order:
                if len(kept) >= max_per_class:
                    break
                if not any(overlaps_too_much(boxes[b, i], boxes[b, k], iou_threshold) for k in kept):
                    kept.append(i)
                    picked.append((b, c, i))
    return np.asarray(picked, dtype=np.int64).reshape(-1, 3)
