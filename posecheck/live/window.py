"""The live window: shows frames, turns keys into actions, notices when it is closed.

Keys: ``q`` or Esc quit, space pause/resume, ``r`` restart the exercise, ``n`` next exercise
(or end the rest early). Closing the window quits.
"""
from __future__ import annotations

import os
import sys

import cv2
import numpy as np

from posecheck.errors import PosecheckError

KEYS: dict[int, str] = {ord("q"): "quit", 27: "quit", ord(" "): "pause", ord("r"): "reset",
                        ord("n"): "next"}


class WindowError(PosecheckError, OSError):
    """The window cannot be opened here (no display)."""


class Window:
    """A resizable OpenCV window; :meth:`show` returns the action of the key pressed, if any."""

    def __init__(self, title: str = "posecheck live") -> None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            raise WindowError("live: no display for the window (run with --no-window, "
                              "or under xvfb-run)")
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        self._shown = False

    def show(self, image: np.ndarray) -> str | None:
        """Display ``image`` (H, W, 3) BGR; "quit" also when the user closed the window."""
        if self._shown and not self._visible():
            return "quit"
        if not self._shown:
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
        cv2.imshow(self.title, image)
        self._shown = True
        key = cv2.waitKey(1)
        return KEYS.get(key & 0xFF) if key >= 0 else None

    def _visible(self) -> bool:
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1
        except cv2.error:           # Qt: the window is gone
            return False

    def close(self) -> None:
        if self._visible():
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
