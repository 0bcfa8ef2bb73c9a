"""CI runs the suite twice: as the README says, then against the lowest versions pyproject.toml allows."""

from __future__ import annotations

import re

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.version import Version

CONSTRAINTS = REPO / "ci" / "constraints-lowest.txt"


def _pins() -> dict[str, Version]:
    pins = {}
    for line in CONSTRAINTS.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_norm(name)] = Version(version)
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bound(req: Requirement) -> Version | None:
    bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    return max(bounds) if bounds else None


def test_every_lower_bound_is_pinned_in_the_lowest_constraints() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [Requirement(r) for r in extra]
    pins = _pins()
    for req in requirements:
        bound = _lower_bound(req)
        assert bound is not None, f"{req}: no lower bound in pyproject.toml"
        assert pins.get(_norm(req.name)) == bound, f"{req}: ci/constraints-lowest.txt pins {pins.get(_norm(req.name))}"


def test_ci_runs_the_readme_command_first_then_the_lowest_versions() -> None:
    run = (REPO / ".ci" / "run").read_text("utf-8")
    readme_command = 'python -m pip install ".[test]" && python -m pytest -q'
    assert readme_command in (REPO / "README.md").read_text("utf-8")
    first = run.index(readme_command)
    assert "constraints-lowest.txt" in run[first:], "the lowest-versions pass comes after the README command"
