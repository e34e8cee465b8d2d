"""The checking stage: exercise specs (TOML data, validated, never evaluated), the checker
(:class:`posecheck.checking.checker.Checker`) and the events it emits, and the checker's parts,
one small state machine each (setup, calibration, rep counters, hold timer, rules), plus what a
whole recorded clip allows (``recorded``).

Hot-path convention: a frame is a plain list ``v`` of floats indexed by column numbers the
checker resolved once (no dict lookups, no name formatting per frame). A wanted condition is
compiled to ``(low, high, outside)``: it holds when ``(low <= x <= high) != outside``; NaN never
holds.
"""
