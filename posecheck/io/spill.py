"""Arrays that grow on disk instead of in memory, for recordings of any length.

A :class:`GrowableArray` takes rows one at a time (or a block at a time), keeps one block of
them in memory and appends full blocks to a file in a spill folder (:func:`spill_folder`).
:meth:`GrowableArray.finish` maps the file read-only and unlinks it: the array stays readable
(the mapping keeps the data) and the disk space is freed when the last array using it goes,
so nothing is left on disk even if the process is killed after that. :func:`read_blocks` reads
any array a block at a time; for a mapped array it hands the pages back after each block, so
reading a long mapped array through it does not grow the process's resident memory.

>>> import tempfile
>>> with spill_folder(tempfile.gettempdir()) as folder:
...     grow = GrowableArray(folder / "x", (2,), np.float32, block_rows=2)
...     for i in range(5):
...         grow.append(np.array([i, -i]))
...     x = grow.finish()
>>> x[:, 0].tolist(), [start for start, _ in read_blocks(x, 2)]
([0.0, 1.0, 2.0, 3.0, 4.0], [0, 2, 4])
"""
from __future__ import annotations

import mmap
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

#: Rows a growable array keeps in memory before appending them to its file, and the rows
#: :func:`read_blocks` reads at a time by default.
BLOCK_ROWS = 4096
#: The prefix of spill folders (hidden, so they never look like outputs).
SPILL_PREFIX = ".posecheck-spill-"


@contextmanager
def spill_folder(near: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    """A new, empty folder for spilled arrays inside ``near`` (default: the system's temporary
    folder), removed with whatever is left in it when the block ends, normally or not (an
    error, Ctrl-C). Arrays already finished stay readable: their files are unlinked, not gone.
    """
    if near is not None:
        Path(near).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class GrowableArray:
    """An (N, *row_shape) array of ``dtype`` built a row or a block at a time on disk.

    path : the file to append to (created, must not exist); row_shape : the shape of one row;
    block_rows : rows kept in memory before they are written.
    """

    def __init__(self, path: Path, row_shape: tuple[int, ...], dtype: DTypeLike,
                 block_rows: int = BLOCK_ROWS) -> None:
        self.path = path
        self.row_shape = tuple(row_shape)
        self.dtype = np.dtype(dtype)
        self._buffer = np.empty((max(1, block_rows), *self.row_shape), self.dtype)
        self._used = 0
        self._written = 0
        self._file = open(path, "xb")

    def __len__(self) -> int:
        return self._written + self._used

    def append(self, row: ArrayLike) -> None:
        """Add one row (converted to ``dtype``)."""
        self._buffer[self._used] = row
        self._used += 1
        if self._used == len(self._buffer):
            self._flush()

    def extend(self, rows: np.ndarray) -> None:
        """Add rows : (n, *row_shape)."""
        rows = np.asarray(rows, self.dtype)
        self._flush()
        self._file.write(np.ascontiguousarray(rows).tobytes())
        self._written += len(rows)

    def _flush(self) -> None:
        if self._used:
            self._file.write(self._buffer[:self._used].tobytes())
            self._written, self._used = self._written + self._used, 0

    def seal(self) -> int:
        """Write the rows kept in memory and close the file (for :func:`map_rows`, here or in
        another process); the number of rows. No more rows may be added."""
        self._flush()
        self._file.close()
        return self._written

    def finish(self) -> np.ndarray:
        """The rows as a read-only array (:func:`map_rows`). No more rows may be added."""
        return map_rows(self.path, self.row_shape, self.dtype, self.seal())


def map_rows(path: Path, row_shape: tuple[int, ...], dtype: DTypeLike, rows: int) -> np.ndarray:
    """The first ``rows`` rows of the file at ``path`` (written by :class:`GrowableArray`) as a
    read-only array mapped from it; the file is then unlinked (the array keeps its data)."""
    dtype = np.dtype(dtype)
    shape = (rows, *row_shape)
    try:
        if rows == 0 or dtype.itemsize == 0:
            return np.zeros(shape, dtype)
        with open(path, "rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return np.frombuffer(mapped, dtype, count=int(np.prod(shape))).reshape(shape)
    finally:
        path.unlink(missing_ok=True)


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    """The memory map ``array`` is a view of, if any."""
    base: object = array.base
    while True:
        if isinstance(base, mmap.mmap):
            return base
        if isinstance(base, np.ndarray):
            base = base.base
        elif isinstance(base, memoryview):
            base = base.obj
        else:
            return None


def read_blocks(array: np.ndarray, rows: int = BLOCK_ROWS) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, array[first:first + rows]) for consecutive blocks of ``array``'s rows.

    A block of a memory-mapped array is a copy, and the map's pages are handed back to the
    operating system after it (they stay in its file cache), so the process's resident memory
    does not grow with the array; a block of an array in memory is a view.
    """
    mapped = _mapping(array)
    for start in range(0, len(array), max(1, rows)):
        block = array[start:start + rows]
        if mapped is None:
            yield start, block
            continue
        copy = np.array(block)
        mapped.madvise(mmap.MADV_DONTNEED)
        yield start, copy


def is_mapped(array: np.ndarray) -> bool:
    """Whether ``array`` is (a view of) an array mapped from a file."""
    return _mapping(array) is not None
