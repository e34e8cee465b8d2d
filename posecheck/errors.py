"""The errors a user can cause (bad file, missing model, malformed spec): reported as one line
naming the file and the problem, with exit status 2."""
from __future__ import annotations

from posecheck.models import ModelError
from posecheck.sources import SourceError
from posecheck.spec import SpecError

USER_ERRORS: tuple[type[Exception], ...] = (SourceError, ModelError, SpecError, ValueError,
                                            OSError)
