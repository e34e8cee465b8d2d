"""The tree shows the architecture: every import points down the pipeline
(io -> pose -> measure -> checking -> outputs -> orchestration, live and synth on top), and
docs/ARCHITECTURE.md names every module."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "posecheck"
#: Stages from the bottom up; a module may import its own stage and those below.
LAYERS = ("errors", "io", "pose", "measure", "checking", "outputs",
          "blockwise pipeline analyze_run engines dask_engine bench", "live", "synth",
          "cli __init__")


def layer(module: str) -> int:
    """Layer of a dotted module under posecheck ("pose.track" -> 2)."""
    head = module.split(".")[0]
    return next(i for i, names in enumerate(LAYERS) if head in names.split())


def modules() -> dict[str, Path]:
    """Dotted name (relative to posecheck) -> file, for every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts)] = path
    return found


def imported(path: Path) -> set[str]:
    """The posecheck modules a file imports (relative to posecheck), anywhere in it except
    under ``if TYPE_CHECKING:`` (annotations only, nothing runs)."""
    tree = ast.parse(path.read_text())
    typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", "") == "TYPE_CHECKING" for inner in ast.walk(node)}
    names = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("posecheck."):
            names.add(node.module.removeprefix("posecheck."))
        elif isinstance(node, ast.Import):
            names |= {a.name.removeprefix("posecheck.") for a in node.names
                      if a.name.startswith("posecheck.")}
    return names


def test_every_import_points_down_the_pipeline() -> None:
    upward = [f"{name} -> {target}" for name, path in modules().items()
              if name != "__init__" for target in imported(path)
              if layer(target) > layer(name)]
    assert not upward, upward


def test_architecture_md_names_every_module() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    missing = [str(path.relative_to(ROOT)) for name, path in modules().items()
               if not name.endswith("__init__") and not name.startswith("synth.")
               and str(path.relative_to(ROOT)) not in text]
    assert not missing, missing


def test_tests_mirror_the_package_layout() -> None:
    """A test folder is named after the stage package its tests exercise; tests of the
    orchestration (analyze, engines, bad inputs, real clips) sit at the top."""
    stages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    folders = {p.name for p in (ROOT / "tests").iterdir()
               if p.is_dir() and p.name not in ("fixtures", "__pycache__")}
    assert folders and folders <= stages, sorted(folders - stages)
    for folder in folders:
        tests = list((ROOT / "tests" / folder).glob("test_*.py"))
        assert tests, f"tests/{folder} holds no tests"
