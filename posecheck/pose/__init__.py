"""The pose stage: MediaPipe models and estimator, the PoseTrack container, landmarks,
back contour, several people, left/right identity, frame sampling."""
