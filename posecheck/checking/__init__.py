"""The checker's parts, one small state machine each; :class:`posecheck.checker.Checker`
wires them together.

Hot-path convention: a frame is a plain list ``v`` of floats indexed by column numbers the
checker resolved once (no dict lookups, no name formatting per frame). A wanted condition is
compiled to ``(low, high, outside)``: it holds when ``(low <= x <= high) != outside``; NaN never
holds.
"""
