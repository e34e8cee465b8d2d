"""Filters: One Euro (array state), Hampel, gap fill, zero-phase Butterworth, smoothing."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from posecheck.filters import (
    ONE_EURO_PRESETS, LandmarkSmoother, OneEuroFilter, OneEuroParams, butterworth_zero_phase,
    fill_gaps, hampel, metric_params, one_euro_metrics, one_euro_offline, one_euro_params,
    smooth_track,
)
from posecheck.kinematics import UNITS
from posecheck.landmarks import NUM_LANDMARKS
from posecheck.metrics import Metrics
from posecheck.track import CONTOUR_SAMPLES, FramePose, PoseTrack

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

def test_hampel_replaces_spikes_and_keeps_smooth_signals() -> None:
    t = times(200)
    smooth = np.sin(2 * np.pi * 0.5 * t)[:, None]
    np.testing.assert_array_equal(hampel(smooth), smooth)
    spiky = smooth.copy()
    spiky[50] += 10.0
    cleaned = hampel(spiky)
    assert abs(cleaned[50, 0] - smooth[50, 0]) < 0.1  # the window median, one step off
    np.testing.assert_array_equal(np.delete(cleaned, 50, 0), np.delete(smooth, 50, 0))


@SETTINGS
@given(values=signals, window=st.integers(1, 5))
def test_hampel_keeps_nan_and_only_moves_samples_to_the_window_median(values, window) -> None:
    out = hampel(values, window)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))
    np.testing.assert_array_equal(hampel(values, window, n_sigmas=np.inf), values)


def test_fill_gaps_fills_short_gaps_linearly_only() -> None:
    t = times(40)
    line = (2.0 * t + 1.0)[:, None]
    gappy = line.copy()
    gappy[[0, 1]] = np.nan  # leading: never filled
    gappy[10:14] = np.nan  # 5 frame intervals = 0.167 s: filled
    gappy[20:35] = np.nan  # 0.53 s: too long
    gappy[38:] = np.nan  # trailing
    out = fill_gaps(t, gappy, max_gap_s=0.2)
    np.testing.assert_allclose(out[10:14], line[10:14])
    assert np.isnan(out[[0, 1]]).all() and np.isnan(out[20:35]).all() and np.isnan(out[38:]).all()
    np.testing.assert_array_equal(out[2:10], line[2:10])


@SETTINGS
@given(values=signals, max_gap=st.floats(0.0, 1.0))
def test_fill_gaps_never_changes_good_samples(values, max_gap) -> None:
    out = fill_gaps(times(len(values)), values, max_gap)
    good = ~np.isnan(values)
    np.testing.assert_array_equal(out[good], values[good])


def test_butterworth_removes_jitter_without_lag_and_respects_nan() -> None:
    t = times(300)
    slow = np.sin(2 * np.pi * 0.5 * t)
    fast = 0.3 * np.sin(2 * np.pi * 10.0 * t)
    values = np.stack([slow + fast, slow + fast], 1)
    values[150:153, 1] = np.nan
    out = butterworth_zero_phase(values, FPS, cutoff_hz=3.0)
    inner = slice(30, 120)
    assert np.abs(out[inner, 0] - slow[inner]).max() < 0.02
    lags = [np.dot(out[inner, 0], np.roll(slow, k)[inner]) for k in range(-5, 6)]
    assert int(np.argmax(lags)) == 5  # no lag
    assert np.isnan(out[150:153, 1]).all() and np.isfinite(out[:150, 1]).all()
    assert np.abs(out[inner, 1] - slow[inner]).max() < 0.02


def test_butterworth_leaves_short_runs_and_rejects_bad_cutoffs() -> None:
    values = np.arange(10.0)[:, None]
    np.testing.assert_array_equal(butterworth_zero_phase(values, FPS, 6.0), values)
    with pytest.raises(ValueError):
        butterworth_zero_phase(values, FPS, 15.0)


# ---------------------------------------------------------------------------------------------
# Track smoothing
# ---------------------------------------------------------------------------------------------

def noisy_track(n: int, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    base = rng.uniform(100, 400, (NUM_LANDMARKS, 3))
    image = base + rng.normal(0, 2.0, (n, NUM_LANDMARKS, 3))
    world = base / 300 + rng.normal(0, 0.01, (n, NUM_LANDMARKS, 3))
    visibility = np.full((n, NUM_LANDMARKS), 0.9)
    contour = rng.normal(0, 1.0, (n, CONTOUR_SAMPLES))
    for array in (image, world, visibility, contour):
        array[40:43] = np.nan  # a 0.13 s dropout: bridged
        array[100:140] = np.nan  # 1.3 s without a person: left alone
    return PoseTrack(image=image.astype(np.float32), world=world.astype(np.float32),
                     visibility=visibility.astype(np.float32),
                     presence=visibility.astype(np.float32), times=times(n),
                     back_contour=contour.astype(np.float32), fps=FPS, frame_size=(640, 480))


def test_smooth_track_reduces_jitter_and_bridges_short_dropouts() -> None:
    track = noisy_track(300)
    smoothed = smooth_track(track)
    assert smoothed.image.shape == track.image.shape and smoothed.image.dtype == np.float32
    keep = np.r_[0:100, 140:300]
    assert np.nanstd(smoothed.image[keep, 5, 0]) < 0.6 * np.nanstd(track.image[keep, 5, 0])
    assert smoothed.detected[40:43].all() and not smoothed.detected[100:140].any()
    assert (smoothed.visibility[40:43] == pytest.approx(0.9))
    assert np.isnan(smoothed.back_contour[100:140]).all()
    assert len(smooth_track(track[:1])) == 1


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
