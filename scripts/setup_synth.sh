#!/usr/bin/env bash
# Set up the synthetic-people generator (posecheck.synth): headless Mesa GL and a separate
# virtual environment `.venv-synth` holding torch, anny, pyrender and OpenCV.
#
#   bash scripts/setup_synth.sh            # from the repository root
#
# torch is installed first with its exact pin so that no later step pulls a CUDA build.
# Only anny's default topology is ever used: never its smpl/smplx topologies or extras,
# which download non-commercial data.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${SYNTH_VENV:-.venv-synth}

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libosmesa6 libegl1 libgl1-mesa-dri libegl-mesa0 libgles2
else
    echo "apt-get not found: install Mesa (OSMesa/EGL, llvmpipe) with your package manager" >&2
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q torch==2.13.0
# pyrender 0.1.45 pins PyOpenGL==3.1.0, but what was tested here with EGL and OSMesa is 3.1.7:
# pip cannot resolve both, so pyrender is installed without its dependencies, which are listed
# here instead (the `synth` extra in pyproject.toml names the same packages for pip users).
"$VENV/bin/python" -m pip install -q pyopengl==3.1.7 anny==0.6.2 \
    trimesh freetype-py imageio networkx pillow 'pyglet>=1.4.10,<2' scipy six
"$VENV/bin/python" -m pip install -q --no-deps pyrender==0.1.45
"$VENV/bin/python" -m pip install -q -e '.[test]'
echo "synth environment ready: $VENV (anny cache: .cache/anny unless ANNY_CACHE_DIR is set)"
