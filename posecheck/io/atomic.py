"""Writing files so that they are either complete or absent: a temporary file beside the
target, renamed over it when writing succeeded and removed when it failed.

>>> from pathlib import Path
>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "report.json"
>>> with atomic_path(target) as part:
...     _ = part.write_text("{}")
>>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
('{}', ['report.json'])
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | Path, keep_suffix: bool = False) -> Iterator[Path]:
    """A fresh ``*.part`` path beside ``path`` to write to; renamed to ``path`` when the block
    ends normally, removed otherwise. ``keep_suffix`` puts ``path``'s suffix last
    (``clip.<id>.part.mp4``) for writers that choose the format by extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    name = (f"{path.stem}.{token}.part{path.suffix}" if keep_suffix
            else f"{path.name}.{token}.part")
    part = path.with_name(name)
    part.touch(exist_ok=False)  # unlike mkstemp, keeps the umask's permissions
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
