"""Synthetic people doing exercises, rendered with exact ground truth (optional extra ``synth``).

A clip is made in four steps, each its own module:

* :mod:`~posecheck.synth.motions` scripts an exercise as pose parameters over time, with the
  true rep, setup and hold intervals; :mod:`~posecheck.synth.faults` adds form faults of known
  size and interval on top.
* :mod:`~posecheck.synth.poses` turns one set of parameters into a posed rig
  (:mod:`~posecheck.synth.rig`) of the Anny body (:mod:`~posecheck.synth.body`).
* :mod:`~posecheck.synth.scene` rasterises it (pyrender on headless Mesa).
* :mod:`~posecheck.synth.clip` writes the MP4 and its ground truth
  (:mod:`~posecheck.synth.groundtruth`, loadable without the extra).

Importing this package is cheap: torch, anny and pyrender load only when a body is built or a
scene is rendered. Command line: ``python -m posecheck.synth --help``.
"""
