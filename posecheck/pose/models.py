"""Pose model bundles: where they live, how they are provisioned, and checksums.

A bundle ``pose_landmarker_<variant>.task`` is what MediaPipe's ``PoseLandmarker`` loads: a zip
holding ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``. Two routes provide one:

* ``download``: the official bundle from MediaPipe's model storage (``OFFICIAL_URL``);
* ``build``: an offline build from package registries, through their own clients. The person
  detector comes from the PyPI ``mediapipe==0.10.21`` wheel (``pip download``), the landmark
  networks from the npm package ``@mediapipe/pose`` (``npm pack``; the full network is the same
  file in both, so it is taken from the wheel and a full build needs no npm). The raw networks
  get TFLite metadata (:mod:`posecheck.pose.tflite_metadata`) and are zipped reproducibly, so a
  built bundle's sha256 is known in advance (``models/checksums.json``).

Downloaded packages are cached in ``models/.build/``, which also holds ``installed.json``: the
route and sha256 of each bundle as it was installed, used to verify it later. Nothing is
written to ``models/`` except through a ``*.part`` file renamed into place.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict
from urllib.error import URLError
from urllib.request import urlopen

from posecheck.io.atomic import atomic_path
from posecheck.errors import PosecheckError

log = logging.getLogger(__name__)

VARIANTS = ("lite", "full", "heavy")
ROUTES = ("auto", "download", "build")
OFFICIAL_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
                "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task")
DOWNLOAD_TIMEOUT_S = 10.0
SUBPROCESS_TIMEOUT_S = 600.0
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
CHECKSUMS_FILE = "checksums.json"
RECORD_FILE = "installed.json"

PYPI_SPEC = "mediapipe==0.10.21"
PYPI_ARCHIVE = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
NPM_ARCHIVE = "mediapipe-pose-0.5.1675469404.tgz"
DETECTOR_SOURCE = (PYPI_ARCHIVE, "mediapipe/modules/pose_detection/pose_detection.tflite")
LANDMARK_SOURCES = {
    "lite": (NPM_ARCHIVE, "package/pose_landmark_lite.tflite"),
    "full": (PYPI_ARCHIVE, "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"),
    "heavy": (NPM_ARCHIVE, "package/pose_landmark_heavy.tflite"),
}

DETECTOR_OUTPUTS = ("raw_boxes", "raw_scores")
LANDMARK_OUTPUTS = ("landmarks", "pose_presence", "segmentation_mask", "heatmap",
                    "world_landmarks")

#: Zip entries: fixed timestamp and attributes; member data starts on this boundary, so TFLite
#: can use the tensors in place (the padding goes in a zipalign-style extra field).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_ALIGNMENT = 64
_ZIPALIGN_EXTRA_ID = 0xD935
_ZIP_LOCAL_HEADER_SIZE = 30
#: ``models/`` at the repository root: the default bundle folder, and home of the checksums.
_REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


class ModelError(PosecheckError):
    """A model bundle could not be found, verified or provisioned (one-line message)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


# ---------------------------------------------------------------------------- locations


def models_dir() -> Path:
    """Folder of the bundles: ``$POSECHECK_MODELS_DIR``, else ``models/`` at the repo root."""
    override = os.environ.get("POSECHECK_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    return _REPO_MODELS


def _cache_dir() -> Path:
    """Where downloaded registry packages are kept between builds."""
    return models_dir() / ".build"


def _record_path() -> Path:
    return models_dir() / ".build" / RECORD_FILE


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(f"unknown model variant {variant!r} (choose one of {', '.join(VARIANTS)})")


def model_path(variant: str) -> Path:
    """Path of the bundle for ``variant`` (whether or not it exists yet)."""
    _check_variant(variant)
    return models_dir() / f"pose_landmarker_{variant}.task"


# ---------------------------------------------------------------------------- checksums


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums() -> dict[str, Any]:
    """The committed reference checksums (``checksums.json`` beside this repo's bundles)."""
    path = _REPO_MODELS / CHECKSUMS_FILE
    try:
        table: dict[str, Any] = json.loads(path.read_text())
        return table
    except (OSError, ValueError) as e:
        raise ModelError(f"{path}: cannot read the reference checksums ({e})") from e


def _records() -> dict[str, dict[str, str]]:
    try:
        records: dict[str, dict[str, str]] = json.loads(_record_path().read_text())
        return records
    except (OSError, ValueError):
        return {}


def _write_record(path: Path, route: str, sha256: str) -> None:
    records = _records()
    records[path.name] = {"route": route, "sha256": sha256}
    with atomic_path(_record_path()) as part:
        part.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")


def check_bundle(path: Path, label: str | None = None) -> None:
    """Raise ``ModelError`` unless ``path`` is an intact bundle (zip CRCs, members, TFLite).

    ``label`` names the file in the message (default: the file's name).
    """
    label = label or path.name
    try:
        with zipfile.ZipFile(path) as z:
            names = sorted(z.namelist())
            if names != sorted((DETECTOR_MEMBER, LANDMARKS_MEMBER)):
                raise ModelError(f"{label}: unexpected members {names}")
            bad = z.testzip()
            if bad is not None:
                raise ModelError(f"{label}: member {bad} is corrupt (CRC mismatch)")
            for name in names:
                with z.open(name) as f:
                    if f.read(8)[4:8] != b"TFL3":
                        raise ModelError(f"{label}: member {name} is not a TFLite model")
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise ModelError(f"{label}: not a readable model bundle ({e})") from e


def bundle_damage(path: Path) -> str | None:
    """What is wrong with the bundle at ``path`` (see :func:`check_bundle`), None if intact."""
    try:
        check_bundle(path)
    except ModelError as e:
        return str(e)
    return None


class ModelStatus(TypedDict):
    """One variant's bundle, as :func:`model_status` reports it."""
    variant: str
    path: Path
    present: bool
    sha256: str | None
    verified: bool
    route: str | None


def _status(variant: str) -> ModelStatus:
    path = model_path(variant)
    row: ModelStatus = {"variant": variant, "path": path, "present": path.is_file(),
                        "sha256": None, "verified": False, "route": None}
    if not row["present"]:
        return row
    row["sha256"] = sha256_file(path)
    if bundle_damage(path) is not None:
        return row
    record = _records().get(path.name)
    if record is not None:
        row["verified"] = record.get("sha256") == row["sha256"]
        row["route"] = record.get("route")
    elif row["sha256"] == checksums()["bundles"][variant]["sha256"]:
        row["verified"], row["route"] = True, "build"
    return row


def model_status() -> list[ModelStatus]:
    """One row per variant: variant, path, present, sha256, verified, route.

    ``verified`` means the file is an intact bundle (see :func:`bundle_damage`) whose sha256
    matches the one recorded when it was installed (or, without a record, the reference sha256
    of the offline build); ``route`` is how it was installed (``download`` or ``build``),
    ``None`` when unknown.
    """
    return [_status(v) for v in VARIANTS]


# ---------------------------------------------------------------------------- provisioning


def ensure_model(variant: str = "full") -> Path:
    """Path of a usable bundle for ``variant``, provisioning it first when needed.

    An existing file is checked: a sha256 that contradicts its install record, or a damaged zip,
    makes it be provisioned again; an intact bundle of unknown origin (no record, copied in by
    hand) is used as it is.
    """
    row = _status(variant)
    path = row["path"]
    if row["verified"]:
        return path
    damage = bundle_damage(path) if row["present"] else None
    if damage is not None:
        log.warning("%s; provisioning it again", damage)
    elif row["present"]:
        if row["route"] is None:
            try:
                check_bundle(path)
                log.warning("%s: bundle of unknown origin, using it unverified", path.name)
                return path
            except ModelError as e:
                log.warning("%s; provisioning it again", e)
        else:
            log.warning("%s: sha256 differs from the one recorded at install; provisioning it "
                        "again", path.name)
    return fetch_model(variant, force=True)


def fetch_model(variant: str, route: str = "auto", force: bool = False) -> Path:
    """Provision the bundle for ``variant`` and return its path.

    ``route``: ``download`` (the official bundle), ``build`` (offline, from package registries)
    or ``auto`` (download, falling back to build). Without ``force`` a verified existing bundle
    is kept.
    """
    path = model_path(variant)
    if route not in ROUTES:
        raise ModelError(f"{path.name}: unknown route {route!r} (choose one of {', '.join(ROUTES)})")
    if not force and _status(variant)["verified"]:
        return path
    models_dir().mkdir(parents=True, exist_ok=True)
    download_error = None
    if route in ("auto", "download"):
        try:
            return _install(variant, "download", lambda part: _download(variant, part))
        except ModelError as e:
            if route == "download":
                raise
            download_error = e
            log.warning("%s; building it offline instead", e)
    try:
        return _install(variant, "build", lambda part: build_bundle(variant, part, _cache_dir()))
    except ModelError as e:
        if download_error is None:
            raise
        raise ModelError(f"{path.name}: no route worked: {_reason(download_error, path)}; "
                         f"{_reason(e, path)}") from e


def _reason(error: ModelError, path: Path) -> str:
    """``error``'s message without the leading file name."""
    return str(error).removeprefix(f"{path.name}: ")


def _install(variant: str, route: str, produce: Callable[[Path], None]) -> Path:
    """Run ``produce(part_path)``, check the bundle, move it into place and record it."""
    path = model_path(variant)
    with atomic_path(path) as part:
        produce(part)
        check_bundle(part, path.name)
        sha256 = sha256_file(part)
    _write_record(path, route, sha256)
    if route == "build" and sha256 != checksums()["bundles"][variant]["sha256"]:
        log.warning("%s: built bundle's sha256 %s differs from the reference build (other "
                    "mediapipe or flatbuffers version?)", path.name, sha256)
    log.info("%s: installed by %s (sha256 %s)", path.name, route, sha256)
    return path


def _download(variant: str, dest: Path) -> None:
    """Fetch the official bundle into ``dest``."""
    url = OFFICIAL_URL.format(variant=variant)
    name = model_path(variant).name
    log.info("%s: downloading %s", name, url)
    try:
        with urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(dest, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (OSError, ValueError) as e:  # URLError, HTTPError and timeouts are OSErrors
        reason = e.reason if type(e) is URLError else e  # the bare URLError's str is noisy
        raise ModelError(f"{name}: download failed ({reason})") from e


# ---------------------------------------------------------------------------- offline build


def build_bundle(variant: str, dest: Path, cache: Path) -> None:
    """Build the bundle for ``variant`` into ``dest``, from registry packages cached in ``cache``.

    Every source network is checked against its reference sha256 before it is used.
    """
    # Imported here: it loads mediapipe, which nothing else in this module needs.
    from posecheck.pose.tflite_metadata import ImageModelInfo, add_metadata

    _check_variant(variant)
    name = model_path(variant).name
    log.info("%s: building from registry packages (cache %s)", name, cache)
    detector = _source_file(*DETECTOR_SOURCE, cache, name)
    landmarks = _source_file(*LANDMARK_SOURCES[variant], cache, name)
    detector_info = ImageModelInfo(
        name="pose_detector",
        description="BlazePose person detector: 224x224 RGB image to 2254 anchor boxes and "
                    "scores.",
        mean=127.5, std=127.5, outputs=DETECTOR_OUTPUTS)
    landmark_info = ImageModelInfo(
        name="pose_landmarks_detector",
        description=f"BlazePose GHUM 3D pose landmark network ({variant}): 256x256 RGB person "
                    "crop to 33 landmarks, world landmarks and a segmentation mask.",
        mean=0.0, std=255.0, outputs=LANDMARK_OUTPUTS)
    try:
        members = {DETECTOR_MEMBER: add_metadata(detector, detector_info),
                   LANDMARKS_MEMBER: add_metadata(landmarks, landmark_info)}
    except ValueError as e:
        raise ModelError(f"{name}: cannot write TFLite metadata ({e})") from e
    write_bundle(dest, members)


def write_bundle(dest: Path, members: dict[str, bytes]) -> None:
    """Write ``members`` to a stored zip at ``dest``, reproducibly and with aligned data."""
    with open(dest, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
        for member, data in members.items():
            info = zipfile.ZipInfo(member, ZIP_DATE)
            info.create_system, info.external_attr = 3, 0o644 << 16
            data_start = f.tell() + _ZIP_LOCAL_HEADER_SIZE + len(member.encode()) + 4
            pad = -data_start % ZIP_ALIGNMENT
            info.extra = struct.pack("<HH", _ZIPALIGN_EXTRA_ID, pad) + bytes(pad)
            z.writestr(info, data)


def _source_file(archive: str, member: str, cache: Path, name: str) -> bytes:
    """The verified bytes of ``member`` inside the registry package ``archive``."""
    expected = checksums()["sources"][member]
    path = _cached_archive(archive, cache, name)
    try:
        if archive.endswith(".whl"):
            with zipfile.ZipFile(path) as z:
                data = z.read(member)
        else:
            with tarfile.open(path, "r:gz") as t:
                f = t.extractfile(member)
                if f is None:
                    raise KeyError(member)
                data = f.read()
    except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError) as e:
        raise ModelError(f"{name}: cannot read {member} from {archive} ({e})") from e
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"{name}: {member} from {archive} does not match its reference sha256")
    return data


def _cached_archive(archive: str, cache: Path, name: str) -> Path:
    """Path of the registry package ``archive`` in ``cache``, fetched when missing or damaged."""
    path = cache / archive
    expected = checksums()["archives"][archive]
    if path.is_file() and sha256_file(path) == expected:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix="fetch-") as tmp:
        if archive == PYPI_ARCHIVE:
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                  "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
                  "--disable-pip-version-check", "--quiet", PYPI_SPEC, "-d", tmp], tmp, name)
        else:
            _run(["npm", "pack", "--ignore-scripts", "--silent", NPM_SPEC], tmp, name)
        fetched = Path(tmp) / archive
        if not fetched.is_file():
            raise ModelError(f"{name}: the registry client did not produce {archive}")
        if sha256_file(fetched) != expected:
            raise ModelError(f"{name}: {archive} from the registry does not match its reference "
                             "sha256")
        os.replace(fetched, path)
    return path


def _run(command: list[str], cwd: str, name: str) -> None:
    """Run a registry client; a failure becomes a ``ModelError`` with its last error line."""
    shown = " ".join([Path(command[0]).name, *command[1:4]])
    log.info("%s: running %s", name, shown)
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                              timeout=SUBPROCESS_TIMEOUT_S, check=False)
    except FileNotFoundError as e:
        raise ModelError(f"{name}: offline build needs {command[0]!r}, which is not installed") \
            from e
    except subprocess.TimeoutExpired as e:
        raise ModelError(f"{name}: {command[0]} timed out after {SUBPROCESS_TIMEOUT_S:.0f} s") \
            from e
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()] or lines or ["no output"]
        raise ModelError(f"{name}: offline build failed: {shown} exited "
                         f"{done.returncode}: {errors[-1]}")
