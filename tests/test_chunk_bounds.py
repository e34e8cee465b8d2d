"""A long video's chunks are cut so that every worker has the same work."""
from __future__ import annotations

import numpy as np
import pytest

from posecheck.pipeline import chunk_bounds


def work(bounds: np.ndarray, warmup: int, skip_cost: float) -> list[float]:
    """Model frames of each chunk: its own, its warm-up, and the frames it decodes to skip."""
    return [float(b - a) if a == 0 else
            float(b - a) + min(warmup, a) + skip_cost * max(a - warmup, 0)
            for a, b in zip(bounds[:-1], bounds[1:])]


@pytest.mark.parametrize("count, chunks, warmup, skip_cost",
                         [(4431, 2, 15, 0.02), (1000, 4, 30, 0.02), (90_000, 2, 30, 0.1),
                          (300, 2, 15, 0.0), (500, 1, 15, 0.02)])
def test_every_chunk_has_the_same_work(count, chunks, warmup, skip_cost):
    bounds = chunk_bounds(count, chunks, warmup, skip_cost)
    assert bounds[0] == 0 and bounds[-1] == count and len(bounds) == chunks + 1
    assert (np.diff(bounds) > 0).all()
    each = work(bounds, warmup, skip_cost)
    assert max(each) - min(each) <= 1 + skip_cost      # rounding to whole frames


def test_later_chunks_get_fewer_frames_of_their_own():
    bounds = chunk_bounds(4431, 2, 15, 0.02)
    assert bounds[1] > 4431 / 2                        # the first chunk pays no warm-up
    assert chunk_bounds(300, 2, 0, 0.0).tolist() == [0, 150, 300]
