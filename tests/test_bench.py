"""posecheck bench without the model: how a folder run meets a clip that fails."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from posecheck.bench import _folder_run
from posecheck.checking.spec import Spec, load_spec
from posecheck.engines import ClipOptions, Outcome
from posecheck.io.sources import SourceError


class _OneFailure:
    """An engine whose only clip failed to open."""

    def results(self) -> Iterator[Outcome]:
        yield 0, SourceError("bad.mp4: cannot be opened")

    def stop(self) -> None:
        pass

    @contextmanager
    def start(self, paths: list[Path], spec: Spec, options: ClipOptions
              ) -> Iterator[_OneFailure]:
        yield self


def test_a_clip_that_fails_stops_the_folder_run_with_its_own_error() -> None:
    # It used to be an AttributeError: the error has no track to count frames of.
    run = _folder_run(_OneFailure(), [Path("bad.mp4")], load_spec("squat"), "full")
    with pytest.raises(SourceError, match="bad.mp4: cannot be opened"):
        run()
