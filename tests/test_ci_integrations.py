"""Issue 17 item 6: the CI integrations pass only what they checked.

The pre-commit hook is run for real with ``pre-commit try-repo`` (it installs this checkout with pip);
the Action's file expansion and the GitLab template's install step are run with bash as the runners
would run them, with stand-ins only for what would leave the machine (complycheck's own run, apt-get).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, cdx

KASPERSKY = [
    {"type": "application", "name": "Kaspersky Endpoint Security", "version": "12.1", "bom-ref": "kes",
     "supplier": {"name": "AO Kaspersky Lab"}},
    {"type": "library", "name": "kav-sdk", "version": "8.9", "bom-ref": "kav",
     "cpe": "cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*"},
    {"type": "application", "name": "Kaspersky Password Manager", "version": "24.0", "bom-ref": "kpm",
     "publisher": "AO Kaspersky Lab"},
]
BASH = shutil.which("bash")
GIT = shutil.which("git")


def _hook() -> dict:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "complycheck")


# -- pre-commit ------------------------------------------------------------------------------------

MATCHED = [
    "sbom.json", "app.sbom.json", "sbom.xml", "SBOM.JSON", "sbom-cyclonedx.json", "sbom.cdx.json", "sbom.spdx.json",
    "bom.json", "bom.xml", "bom-1.json", "frontend-bom.json", "cyclonedx.json", "cyclonedx.xml",
    "x.cdx.json", "x.cdx.xml", "x.cyclonedx.json", "laptop.spdx", "laptop.spdx.json", "doc.spdx.jsonld",
    "pkg.spdx3.json", "opt/bitnami/redis/.spdx-redis.spdx", "deep/dir/bom.json",
]
NOT_MATCHED = ["package.json", "package-lock.json", "tsconfig.json", "bomb.json", "abom.json", "result.json",
               "x.spdx.yaml", "bom.yaml", "README.md", "spdx.md", "sbom.txt"]


def test_hook_files_pattern_matches_what_generators_write() -> None:
    pattern = re.compile(_hook()["files"])  # pre-commit applies it with re.search, as here
    assert [n for n in MATCHED if not pattern.search(n)] == []
    assert [n for n in NOT_MATCHED if pattern.search(n)] == []


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run([GIT, *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_pre_commit_try_repo_fails_a_committed_sbom_json(tmp_path: Path) -> None:
    """A repository committing sbom.json with three Kaspersky violations once got "Passed"."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "sbom.json").write_text(json.dumps(cdx(KASPERSKY)), encoding="utf-8")
    clean = [{"type": "application", "name": "7-Zip", "version": "24.08", "supplier": {"name": "Igor Pavlov"}}]
    (project / "clean.cdx.json").write_text(json.dumps(cdx(clean)), encoding="utf-8")
    (project / ".complycheck.yaml").write_text("jurisdictions: [US]\n", encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "sboms")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("COMPLYCHECK_DEBUG", None)
    pre_commit = [sys.executable, "-m", "pre_commit"]

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*pre_commit, "try-repo", str(REPO), "complycheck", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=900)

    failing = try_repo("--all-files")
    out = failing.stdout + failing.stderr
    assert failing.returncode == 1, out
    assert re.search(r"complycheck \(government software bans in SBOMs\)\.+Failed", out), out
    assert "US-ICTS-KASPERSKY-2024" in out and "sbom.json" in out
    assert "VERDICT: FAIL" in out
    passing = try_repo("--files", "clean.cdx.json")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"complycheck \(government software bans in SBOMs\)\.+Passed", passing.stdout)


# -- GitHub Action ---------------------------------------------------------------------------------


def _scan_step() -> dict:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return next(s for s in action["runs"]["steps"] if s.get("id") == "scan")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_action_files_input_expands_globstar(tmp_path: Path) -> None:
    """The Action's own Scan step, run by bash as the runner runs it, with a stand-in complycheck."""
    work = tmp_path / "work"
    for rel in ("sbom/top.cdx.json", "sbom/a/b/deep.cdx.json", "sbom/a/.spdx-app.spdx", "other/x.cdx.json"):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text("{}", encoding="utf-8")
    stub = tmp_path / "bin"
    stub.mkdir()
    args_file = tmp_path / "args.txt"
    (stub / "complycheck").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{args_file}"\nexit 1\n', encoding="utf-8")
    (stub / "complycheck").chmod(0o755)
    step = _scan_step()
    env = {k: "" for k in step["env"]}
    env.update({
        "PATH": os.environ["PATH"], "CC_VENV_BIN": str(stub), "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "CC_SARIF": "complycheck.sarif", "CC_JURISDICTIONS": "US",
        "CC_FILES": "sbom/**/*.cdx.json\n  sbom/**/.spdx-*.spdx   missing/**/*.json",
    })
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    # How GitHub runs a `shell: bash` step.
    proc = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=work, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    args = args_file.read_text(encoding="utf-8").splitlines()
    files = args[args.index("US") + 1:]
    assert files == ["sbom/a/b/deep.cdx.json", "sbom/top.cdx.json", "sbom/a/.spdx-app.spdx", "missing/**/*.json"]
    assert "exit-code=1" in (tmp_path / "output.txt").read_text(encoding="utf-8")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_expand_files_script_keeps_names_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "[x].cdx.json").write_text("{}", encoding="utf-8")
    (tmp_path / "x.cdx.json").write_text("{}", encoding="utf-8")
    script = REPO / "ci" / "github" / "expand-files.sh"
    proc = subprocess.run([BASH, str(script), "*.cdx.json"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["[x].cdx.json", "x.cdx.json"]  # a matched name is not expanded again
    empty = subprocess.run([BASH, str(script), "  \n "], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert empty.stdout == ""


def test_readme_documents_pinning_the_action_by_commit_sha() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"uses: \S+/complycheck@[0-9a-f]{40}", readme), "no SHA-pinned example"
    assert "trivy-action" in readme


# -- GitLab template -------------------------------------------------------------------------------


def _gitlab_script() -> list[str]:
    doc = yaml.safe_load((REPO / "ci" / "gitlab" / "complycheck.gitlab-ci.yml").read_text(encoding="utf-8"))
    return doc["complycheck"]["script"]


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
@pytest.mark.parametrize(("spec", "installs_git"), [
    ("git+https://gitlab.example.com/tools/complycheck.git@0123456789abcdef0123456789abcdef01234567", True),
    ("https://gitlab.example.com/tools/complycheck/-/archive/v0.3.0/complycheck-v0.3.0.tar.gz", False),
])
def test_gitlab_template_can_install_on_the_image_it_names(tmp_path: Path, spec: str, installs_git: bool) -> None:
    """python:3.12-slim has no git: the template's check step installs it for a git+ spec, and needs
    none for an archive URL. Run with a PATH that has no git and an apt-get stand-in that records."""
    doc = yaml.safe_load((REPO / "ci" / "gitlab" / "complycheck.gitlab-ci.yml").read_text(encoding="utf-8"))
    assert doc["complycheck"]["image"] == "python:3.12-slim"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(f'#!{BASH}\necho "$*" >> "{log}"\n', encoding="utf-8")
    (bin_dir / "apt-get").chmod(0o755)
    for tool in ("grep",):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    check = _gitlab_script()[0]
    proc = subprocess.run([BASH, "-e", "-c", check], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": str(bin_dir), "COMPLYCHECK_PIP_SPEC": spec})
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    if installs_git:
        assert calls[0] == "update -qq" and "install" in calls[1] and "git" in calls[1].split()
    else:
        assert calls == []
    # A spec that is neither a URL, an archive nor a checkout is refused before pip runs.
    bad = subprocess.run([BASH, "-e", "-c", check], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": str(bin_dir), "COMPLYCHECK_PIP_SPEC": "complycheck"})
    assert bad.returncode == 2 and "archive URL" in bad.stderr


def _real_complycheck(bin_dir: Path) -> None:
    """A ``complycheck`` on PATH that runs this checkout, as the Action's virtual environment would."""
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "complycheck"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m compliance "$@"\n', encoding="utf-8")
    shim.chmod(0o755)


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_action_writes_a_signed_verdict_that_verifies(tmp_path: Path) -> None:
    """attest-file and sign-key-file: the Action's Scan step signs the verdict; the run URL is the verifier."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "sbom.json").write_text(json.dumps(cdx(KASPERSKY)), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    _real_complycheck(bin_dir)
    subprocess.run([str(bin_dir / "complycheck"), "keygen", str(tmp_path / "ci")], check=True, capture_output=True)
    step = _scan_step()
    assert "format(" in step["env"]["CC_VERIFIER_ID"]  # defaults to the workflow run's URL
    env = {k: "" for k in step["env"]}
    env.update({
        "PATH": os.environ["PATH"], "CC_VENV_BIN": str(bin_dir), "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "CC_SARIF": "complycheck.sarif", "CC_JURISDICTIONS": "US",
        "CC_FILES": "sbom.json", "CC_ATTEST": "verdict.intoto.json", "CC_SIGN_KEY": str(tmp_path / "ci.key"),
        "CC_VERIFIER_ID": "https://github.com/acme/app/actions/runs/42",
        "COMPLYCHECK_CACHE_DIR": os.environ.get("COMPLYCHECK_CACHE_DIR", ""),
        "COMPLYCHECK_DATA_DIR": os.environ.get("COMPLYCHECK_DATA_DIR", ""),
    })
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    proc = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=work, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "exit-code=1" in (tmp_path / "output.txt").read_text(encoding="utf-8")
    verify = subprocess.run([str(bin_dir / "complycheck"), "verify-attestation", "verdict.intoto.json",
                             "--key", str(tmp_path / "ci.pub"), "--input", "sbom.json"],
                            cwd=work, capture_output=True, text=True)
    assert verify.returncode == 1, verify.stderr  # it verifies, and the verdict is FAILED
    assert "https://github.com/acme/app/actions/runs/42" in verify.stdout


def test_gitlab_template_signs_the_verdict_when_a_key_is_given() -> None:
    doc = yaml.safe_load((REPO / "ci" / "gitlab" / "complycheck.gitlab-ci.yml").read_text(encoding="utf-8"))
    script = "\n".join(doc["complycheck"]["script"])
    assert '--attest complycheck.intoto.json --sign-key "$COMPLYCHECK_SIGN_KEY"' in script
    assert "complycheck.intoto.json" in doc["complycheck"]["artifacts"]["paths"]
    assert doc["variables"]["COMPLYCHECK_SIGN_KEY"] == ""  # off unless a key is configured
