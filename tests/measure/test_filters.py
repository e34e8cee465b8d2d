"""Filters: One Euro (array state), Hampel, gap fill, zero-phase Butterworth, smoothing."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from posecheck.measure.filters import (
    ONE_EURO_PRESETS, LandmarkSmoother, OneEuroFilter, OneEuroParams, metric_params,
    one_euro_metrics, one_euro_offline, one_euro_params,
)
from posecheck.measure.kinematics import UNITS
from posecheck.pose.landmarks import NUM_LANDMARKS
from posecheck.measure.metrics import Metrics
from posecheck.pose.track import CONTOUR_SAMPLES, FramePose, PoseTrack

FPS = 30.0
SETTINGS = settings(max_examples=40, deadline=None)
signals = hnp.arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 4)),
                     elements=st.one_of(st.floats(-1e3, 1e3, allow_subnormal=False),
                                        st.just(np.nan)))


def times(n: int) -> np.ndarray:
    return np.arange(n) / FPS


# ---------------------------------------------------------------------------------------------
# One Euro
# ---------------------------------------------------------------------------------------------

def test_one_euro_smooths_jitter_at_rest_and_follows_motion() -> None:
    rng = np.random.default_rng(1)
    t = times(900)
    noise = rng.normal(0.0, 2.0, t.size)
    still = one_euro_offline(t, noise[:, None])[:, 0]
    assert np.std(still[30:]) < 0.5 * np.std(noise)
    ramp = 90.0 * t  # 90 degrees a second
    moving = one_euro_offline(t, (ramp + noise)[:, None])[:, 0]
    assert np.abs(moving[60:] - ramp[60:]).mean() < 3.0  # lag stays small at speed


def test_one_euro_nan_does_not_poison_state() -> None:
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    assert f(0.0, np.array([1.0, 5.0])).tolist() == [1.0, 5.0]
    out = f(1 / 30, np.array([np.nan, 5.0]))
    assert np.isnan(out[0]) and out[1] == 5.0
    resumed = f(2 / 30, np.array([1.0, 5.0]))
    assert resumed.tolist() == [1.0, 5.0]  # constant input resumes at the constant
    # A channel's NaN leaves the other channels exactly as if filtered alone.
    rng = np.random.default_rng(2)
    data = rng.normal(size=(50, 2))
    data[10:20, 1] = np.nan
    together = one_euro_offline(times(50), data)
    alone = one_euro_offline(times(50), data[:, :1])
    np.testing.assert_array_equal(together[:, 0], alone[:, 0])
    assert np.isnan(together[10:20, 1]).all() and np.isfinite(together[20:, 1]).all()


def test_one_euro_repeated_timestamp_returns_previous_output() -> None:
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    f(0.0, np.array([0.0]))
    first = f(0.1, np.array([10.0]))
    assert f(0.1, np.array([99.0])).tolist() == first.tolist()


def test_one_euro_per_channel_parameters() -> None:
    params = one_euro_params(["deg", "ratio"])
    assert params.beta.tolist() == [ONE_EURO_PRESETS["deg"].beta, ONE_EURO_PRESETS["ratio"].beta]
    rng = np.random.default_rng(3)
    data = rng.normal(size=(40, 2))
    mixed = one_euro_offline(times(40), data, params)
    for c, unit in enumerate(["deg", "ratio"]):
        np.testing.assert_allclose(
            mixed[:, c], one_euro_offline(times(40), data[:, [c]], ONE_EURO_PRESETS[unit])[:, 0])


def test_one_euro_metrics_uses_each_metrics_unit() -> None:
    names = ("knee_flexion_left", "knee_rise_left")
    assert [UNITS[n] for n in names] == ["deg", "ratio"]
    values = np.random.default_rng(4).normal(size=(30, 2))
    smoothed = one_euro_metrics(Metrics(names, values, times(30)))
    assert smoothed.names == names
    np.testing.assert_allclose(smoothed.values, one_euro_offline(
        times(30), values, one_euro_params(["deg", "ratio"])))
    live = OneEuroFilter.from_params(metric_params(names))
    np.testing.assert_array_equal(
        np.array([live(t, v) for t, v in zip(times(30), values)]), smoothed.values)


@SETTINGS
@given(values=signals)
def test_one_euro_output_is_nan_exactly_where_input_is(values) -> None:
    out = one_euro_offline(times(len(values)), values)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))


# ---------------------------------------------------------------------------------------------
# Hampel, gap fill, Butterworth
# ---------------------------------------------------------------------------------------------

def noisy_track(n: int, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    base = rng.uniform(100, 400, (NUM_LANDMARKS, 3))
    image = base + rng.normal(0, 2.0, (n, NUM_LANDMARKS, 3))
    world = base / 300 + rng.normal(0, 0.01, (n, NUM_LANDMARKS, 3))
    visibility = np.full((n, NUM_LANDMARKS), 0.9)
    contour = rng.normal(0, 1.0, (n, CONTOUR_SAMPLES))
    for array in (image, world, visibility, contour):
        array[40:43] = np.nan  # a 0.13 s dropout
        array[100:140] = np.nan  # 1.3 s without a person
    return PoseTrack(image=image.astype(np.float32), world=world.astype(np.float32),
                     visibility=visibility.astype(np.float32),
                     presence=visibility.astype(np.float32), times=times(n),
                     back_contour=contour.astype(np.float32), fps=FPS, frame_size=(640, 480))


def test_landmark_smoother_streams_frames() -> None:
    track = noisy_track(200)
    smoother = LandmarkSmoother()
    frames = [smoother(FramePose(float(track.times[i]), track.image[i], track.world[i],
                                 track.visibility[i], track.presence[i], track.back_contour[i]))
              for i in range(len(track))]
    x = np.array([f.image[5, 0] for f in frames])
    assert np.isnan(x[40:43]).all() and np.isfinite(x[43:100]).all()
    assert np.nanstd(x[50:100]) < np.nanstd(track.image[50:100, 5, 0])
    assert np.isnan(frames[41].visibility).all()
    assert frames[60].visibility[0] == pytest.approx(0.9)
    contour = np.array([f.back_contour[0] for f in frames[50:100]])
    assert np.std(contour) < 0.6 * np.std(track.back_contour[50:100, 0])


def test_one_euro_params_reject_unknown_units() -> None:
    with pytest.raises(KeyError):
        one_euro_params(["furlongs"])
    assert isinstance(ONE_EURO_PRESETS["landmarks"], OneEuroParams)
