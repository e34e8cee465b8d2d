"""Reading ``.npz`` files that may be damaged or hostile: every array header is checked before
its data is read (no pickled objects, no size beyond what the archive holds or ``max_bytes``),
and every failure becomes one line naming the file, raised as the caller's error class. numpy's
own messages are never shown (one of them suggests ``allow_pickle=True``).

>>> import tempfile
>>> path = tempfile.mktemp(suffix=".npz")
>>> np.savez(path, x=np.arange(3))
>>> read_npz(path, ValueError)["x"].tolist()
[0, 1, 2]
>>> _ = open(path, "wb").write(b"junk")
>>> read_npz(path, ValueError)
Traceback (most recent call last):
ValueError: ...npz: not a readable .npz file (File is not a zip file)
>>> os.remove(path)
"""
from __future__ import annotations

import os
import stat
import zipfile
import zlib
from typing import IO, Mapping

import numpy as np

from posecheck.io.spill import read_blocks

#: Arrays a file may hold, and the bytes they may claim together (1 GiB).
MAX_MEMBERS = 64
MAX_BYTES = 1 << 30
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}


class _Refused(Exception):
    """A problem found in the file; the message is shown as it is."""


def read_npz(path: str | os.PathLike[str], error: type[Exception],
             max_bytes: int = MAX_BYTES) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` file at ``path`` by name; raises ``error`` with
    ``"<path>: <problem>"`` if the file is missing, damaged, too large or holds objects."""
    try:
        _check_regular(path)
        with zipfile.ZipFile(path) as archive:
            return _read_members(archive, max_bytes)
    except _Refused as exc:
        raise error(f"{path}: {exc}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise error(f"{path}: not a readable .npz file ({exc})") from None
    except (ValueError, KeyError, NotImplementedError, RuntimeError, OverflowError, MemoryError):
        raise error(f"{path}: damaged or unsupported array data") from None


def _check_regular(path: str | os.PathLike[str]) -> None:
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _Refused("not a regular file")


def _read_members(archive: zipfile.ZipFile, max_bytes: int) -> dict[str, np.ndarray]:
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise _Refused(f"holds {len(members)} members, more than the {MAX_MEMBERS} allowed")
    budget = max_bytes
    for info in members:
        with archive.open(info) as fh:
            budget -= _checked_size(fh, info, budget)
    arrays = {}
    for info in members:
        with archive.open(info) as fh:
            arrays[info.filename.removesuffix(".npy")] = np.lib.format.read_array(
                fh, allow_pickle=False)
    return arrays


def _checked_size(fh: IO[bytes], info: zipfile.ZipInfo, budget: int) -> int:
    """The data size ``info``'s header claims, after checking it against the archive."""
    name = info.filename
    version = np.lib.format.read_magic(fh)
    reader = _HEADER_READERS.get(version)
    if reader is None:
        raise _Refused(f"{name}: unsupported array format version {version}")
    shape, _, dtype = reader(fh)
    if dtype.hasobject:
        raise _Refused(f"{name}: holds Python objects, which posecheck never loads")
    size = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if size > budget:
        raise _Refused(f"{name}: claims {size} bytes, more than the {max(budget, 0)} allowed")
    if size > info.file_size:
        raise _Refused(f"{name}: claims {size} bytes but holds {info.file_size} (truncated?)")
    return size


def write_npz(fh: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` archive to the open binary file ``fh`` (what
    ``np.savez_compressed`` writes, one ``<name>.npy`` member each), reading each array a block
    of rows at a time (:func:`posecheck.io.spill.read_blocks`)."""
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, value in arrays.items():
            array = np.asarray(value)
            if array.dtype.hasobject:
                raise ValueError(f"{name}: holds Python objects, which posecheck never writes")
            header = {"descr": np.lib.format.dtype_to_descr(array.dtype),
                      "fortran_order": False, "shape": array.shape}
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(member, header)
                if array.ndim == 0:
                    member.write(array.tobytes())
                    continue
                for _, block in read_blocks(array):
                    member.write(np.ascontiguousarray(block).tobytes())
