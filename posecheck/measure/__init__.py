"""The measuring stage: vectorised kinematics over a PoseTrack, geometry, the One Euro
filter, the Metrics container, the metric vocabulary and its readable names."""
