"""Phase numbers (rules hold phase masks: bit ``1 << phase``)."""
from __future__ import annotations

REST, OUT, PEAK, BACK, HOLD = range(5)
PHASE_NUMBERS: dict[str, int] = {"rest": REST, "out": OUT, "peak": PEAK, "back": BACK,
                                 "hold": HOLD}


def phase_mask(names: tuple[str, ...]) -> int:
    """Bit mask of the named phases."""
    mask = 0
    for name in names:
        mask |= 1 << PHASE_NUMBERS[name]
    return mask
