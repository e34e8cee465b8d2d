"""Growable arrays on disk, block reading, the spill folder and streamed .npz writing."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from posecheck.io.npz import read_npz, write_npz
from posecheck.io.spill import (GrowableArray, is_mapped, map_rows, read_blocks,
                                spill_folder)


def test_rows_appended_one_by_one_and_in_blocks_come_back_mapped(tmp_path: Path) -> None:
    rows = np.random.default_rng(0).normal(size=(23, 4, 3)).astype(np.float32)
    with spill_folder(tmp_path) as folder:
        grow = GrowableArray(folder / "x", (4, 3), np.float32, block_rows=5)
        for row in rows[:9]:
            grow.append(row)
        grow.extend(rows[9:20])
        for row in rows[20:]:
            grow.append(row)
        assert len(grow) == 23
        array = grow.finish()
        assert list(folder.iterdir()) == []          # unlinked once mapped
    assert not folder.exists()
    assert is_mapped(array) and is_mapped(array[3:7, 0]) and not array.flags.writeable
    np.testing.assert_array_equal(array, rows)      # readable after the folder is gone


def test_blocks_of_a_mapped_array_are_copies_in_order(tmp_path: Path) -> None:
    with spill_folder(tmp_path) as folder:
        grow = GrowableArray(folder / "t", (), np.float64)
        grow.extend(np.arange(10.0))
        array = grow.finish()
    blocks = list(read_blocks(array, 4))
    assert [start for start, _ in blocks] == [0, 4, 8]
    assert not any(is_mapped(block) for _, block in blocks)
    np.testing.assert_array_equal(np.concatenate([b for _, b in blocks]), np.arange(10.0))
    in_memory = np.arange(10.0)
    assert all(b.base is in_memory for _, b in read_blocks(in_memory, 4))   # views


def test_a_sealed_file_opens_in_another_process_and_an_empty_one_is_empty(tmp_path) -> None:
    grow = GrowableArray(tmp_path / "a", (2,), np.int16, block_rows=3)
    grow.extend(np.ones((4, 2)))
    rows = pickle.loads(pickle.dumps(grow.seal()))
    np.testing.assert_array_equal(map_rows(tmp_path / "a", (2,), np.int16, rows), np.ones((4, 2)))
    assert not (tmp_path / "a").exists()
    empty = GrowableArray(tmp_path / "b", (33, 3), np.float32).finish()
    assert empty.shape == (0, 33, 3) and not (tmp_path / "b").exists()


def test_the_spill_folder_goes_on_errors_and_ctrl_c(tmp_path: Path) -> None:
    for error in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(error), spill_folder(tmp_path) as folder:
            GrowableArray(folder / "x", (), np.float64).append(1.0)
            raise error
        assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_streamed_npz_holds_what_savez_holds(tmp_path: Path) -> None:
    with spill_folder(tmp_path) as folder:
        grow = GrowableArray(folder / "x", (3,), np.float32, block_rows=2)
        grow.extend(np.arange(30, dtype=np.float32).reshape(10, 3))
        mapped = grow.finish()
    arrays = {"mapped": mapped, "strided": np.arange(12.0).reshape(3, 4).T,
              "text": np.array("clip ä"), "number": np.array(2.5),
              "empty": np.zeros((0, 33), np.float32)}
    with open(tmp_path / "a.npz", "wb") as fh:
        write_npz(fh, arrays)
    np.savez_compressed(tmp_path / "b.npz", **arrays)
    ours, numpy_s = read_npz(tmp_path / "a.npz", ValueError), read_npz(tmp_path / "b.npz",
                                                                       ValueError)
    assert ours.keys() == numpy_s.keys() == arrays.keys()
    for name in arrays:
        assert ours[name].dtype == numpy_s[name].dtype
        np.testing.assert_array_equal(ours[name], numpy_s[name])
