import numpy as np

from posecheck.pose.contour import back_contour_profile, upward_normal
from posecheck.pose.track import CONTOUR_SAMPLES


def quadruped_landmarks(shoulder=(100.0, 100.0), hip=(300.0, 100.0)) -> np.ndarray:
    landmarks = np.full((33, 3), np.nan)
    landmarks[[11, 12], :2] = shoulder
    landmarks[[23, 24], :2] = hip
    return landmarks


def test_flat_back_gives_a_constant_profile():
    mask = np.zeros((240, 400), np.float32)
    mask[70:130, 80:320] = 1.0
    profile = back_contour_profile(mask, quadruped_landmarks())
    assert profile.shape == (CONTOUR_SAMPLES,)
    np.testing.assert_allclose(profile, 30.5, atol=0.6)


def test_a_dip_in_the_back_shows_in_the_middle_of_the_profile():
    mask = np.zeros((240, 400), np.float32)
    mask[70:130, 80:320] = 1.0
    mask[70:80, 180:220] = 0.0  # a 10 px hollow in the low back
    profile = back_contour_profile(mask, quadruped_landmarks())
    middle = profile[CONTOUR_SAMPLES // 2]
    assert profile[0] - middle > 8 and profile[-1] - middle > 8


def test_profile_is_rotation_equivariant_for_a_tilted_trunk():
    import cv2
    mask = np.zeros((400, 400), np.float32)
    cv2.ellipse(mask, (200, 200), (120, 30), -30, 0, 360, 1.0, -1)
    angle = np.deg2rad(30)
    half = 100 * np.array([np.cos(angle), -np.sin(angle)])
    profile = back_contour_profile(mask, quadruped_landmarks(200 - half, 200 + half))
    mid = profile[CONTOUR_SAMPLES // 2]
    assert abs(mid - 30) < 1.5 and abs(int(np.nanargmax(profile)) - CONTOUR_SAMPLES // 2) <= 1
    assert profile[0] < mid - 8 and profile[-1] < mid - 8


def test_missing_landmarks_or_empty_mask_give_nan():
    mask = np.ones((100, 100), np.float32)
    assert np.isnan(back_contour_profile(mask, np.full((33, 3), np.nan))).all()
    empty = np.zeros((240, 400), np.float32)
    assert np.isnan(back_contour_profile(empty, quadruped_landmarks())).all()


def test_normal_points_up_whatever_the_trunk_direction():
    for shoulder, hip in (((0, 0), (10, 0)), ((10, 0), (0, 0)), ((0, 0), (10, 3))):
        assert upward_normal(np.array(shoulder, float), np.array(hip, float))[1] < 0
