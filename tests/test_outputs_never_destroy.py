"""Reports never destroy an input, never write through a link, never leave the policy's directory.

Issue 17, section 2. Each refusal happens before the scan starts (a usage error: exit 2, one line
naming the file), so nothing is read or written, and the file that would have been destroyed is
byte-for-byte what it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, assert_clean_error, run_cli

from compliance.reportfile import write_atomically

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symbolic and hard links as on POSIX")

SBOM = EXAMPLES / "endpoint-security-suite.cdx.json"  # three Kaspersky violations under -j US
SCAN = ("-j", "US", "--as-of", "2025-06-01", "-q")
ORIGINAL = SBOM.read_bytes()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(SBOM, tmp_path / "x.cdx.json")
    return tmp_path


def scan(work: Path, *args: str, stdin: bytes | None = None):
    return run_cli("scan", *args, *SCAN, cwd=work, stdin=stdin)


# -- an output that is an input ---------------------------------------------------------------------


@pytest.mark.parametrize("output", ["x.cdx.json", "json=x.cdx.json", "./x.cdx.json", "sarif=sub/../x.cdx.json"])
def test_a_report_over_its_own_input_is_refused(work: Path, output: str) -> None:
    (work / "sub").mkdir()
    proc = scan(work, "x.cdx.json", "-o", output)
    assert_clean_error(proc, "the report file is also an input", "never overwrites an input")
    assert (work / "x.cdx.json").read_bytes() == ORIGINAL
    assert proc.stdout == ""


@posix_only
def test_a_hard_link_to_an_input_is_the_same_file(work: Path) -> None:
    os.link(work / "x.cdx.json", work / "report.json")
    proc = scan(work, "x.cdx.json", "-o", "json=report.json")
    assert_clean_error(proc, "report.json: the report file is also an input (x.cdx.json)")
    assert (work / "x.cdx.json").read_bytes() == ORIGINAL


@posix_only
def test_an_input_given_through_a_link_is_the_same_file(work: Path) -> None:
    (work / "latest.cdx.json").symlink_to("x.cdx.json")
    proc = scan(work, "latest.cdx.json", "-o", "x.cdx.json")
    assert_clean_error(proc, "x.cdx.json: the report file is also an input (latest.cdx.json)")
    assert (work / "x.cdx.json").read_bytes() == ORIGINAL


@posix_only
def test_a_file_found_under_a_scanned_folder_is_an_input(work: Path) -> None:
    fleet = work / "fleet" / "laptops"
    fleet.mkdir(parents=True)
    shutil.copy(SBOM, fleet / "device-1.cdx.json")
    os.link(work / "x.cdx.json", fleet / "device-2.cdx.json")  # the same file under another name
    proc = scan(work, "fleet", "-o", "json=fleet/laptops/device-1.cdx.json")
    assert_clean_error(proc, "fleet/laptops/device-1.cdx.json: the report file is also an input")
    proc = scan(work, "fleet", "-o", "json=x.cdx.json")
    assert_clean_error(proc, "x.cdx.json: the report file is also an input (fleet/laptops/device-2.cdx.json)")
    assert (fleet / "device-1.cdx.json").read_bytes() == ORIGINAL == (work / "x.cdx.json").read_bytes()


@posix_only
def test_standard_input_from_a_file_is_an_input(work: Path) -> None:
    with open(work / "x.cdx.json", "rb") as fh:
        proc = run_cli_with_stdin_file(work, fh, "scan", "-", *SCAN, "-o", "json=x.cdx.json")
    assert_clean_error(proc, "x.cdx.json: the report file is also an input (<stdin>)")
    assert (work / "x.cdx.json").read_bytes() == ORIGINAL


def run_cli_with_stdin_file(work: Path, fh, *args: str):
    import subprocess

    from conftest import cli_argv, cli_env

    proc = subprocess.run(cli_argv(*args), stdin=fh, capture_output=True, cwd=work, env=cli_env(), timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def test_the_policy_and_waivers_files_are_inputs(work: Path) -> None:
    (work / "waivers.yaml").write_text("waivers: []\n", encoding="utf-8")
    proc = scan(work, "x.cdx.json", "--waivers", "waivers.yaml", "-o", "json=waivers.yaml")
    assert_clean_error(proc, "waivers.yaml: the report file is also an input")
    assert (work / "waivers.yaml").read_text() == "waivers: []\n"
    (work / ".complycheck.yaml").write_text("jurisdictions: [US]\n", encoding="utf-8")
    assert_clean_error(scan(work, "x.cdx.json", "-o", "json=.complycheck.yaml"), ".complycheck.yaml: the report file")


def test_a_new_report_file_is_written(work: Path) -> None:
    proc = scan(work, "x.cdx.json", "-o", "json=reports.json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads((work / "reports.json").read_bytes())["verdict"] == "fail"


# -- links at the target ------------------------------------------------------------------------------


@posix_only
def test_a_link_at_the_target_is_never_written_through(work: Path) -> None:
    victim = work / "bashrc"
    victim.write_text("export PATH=/usr/bin\n", encoding="utf-8")
    (work / "complycheck.sarif").symlink_to(victim)
    proc = scan(work, "x.cdx.json", "-o", "sarif=complycheck.sarif")
    assert_clean_error(proc, "complycheck.sarif: is a symbolic link; complycheck never writes a report through one")
    assert victim.read_text() == "export PATH=/usr/bin\n"
    assert (work / "complycheck.sarif").is_symlink()


@posix_only
def test_a_dangling_link_at_the_target_creates_nothing(work: Path) -> None:
    (work / "report.json").symlink_to(work / "elsewhere.json")
    assert_clean_error(scan(work, "x.cdx.json", "-o", "report.json"), "report.json: is a symbolic link")
    assert not (work / "elsewhere.json").exists()


@posix_only
def test_a_link_swapped_in_at_write_time_is_refused_not_followed(tmp_path: Path) -> None:
    """The last line of defence, below the argument check: the writer itself never follows a link."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "report.json").symlink_to(victim)
    with pytest.raises(OSError) as info:
        write_atomically(str(tmp_path / "report.json"), "{}")
    assert info.value.errno == errno.ELOOP
    assert victim.read_text() == "keep" and (tmp_path / "report.json").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "victim"]  # no temporary left


@posix_only
def test_init_never_writes_through_a_link(work: Path) -> None:
    victim = work / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (work / ".complycheck.yaml").symlink_to(victim)
    proc = run_cli("init", "-j", "US", "--force", cwd=work)
    assert_clean_error(proc, ".complycheck.yaml: cannot write config file: ", "symbolic link")
    assert victim.read_text() == "keep"
    (work / ".complycheck.yaml").unlink()
    (work / ".complycheck.yaml").symlink_to(work / "nowhere.yaml")
    assert_clean_error(run_cli("init", "-j", "US", cwd=work), ".complycheck.yaml: already exists")
    assert not (work / "nowhere.yaml").exists()


def test_a_device_target_is_still_written_straight_through(work: Path) -> None:
    if not os.path.exists(os.devnull):
        pytest.skip("no null device")
    proc = scan(work, "x.cdx.json", "-o", f"json={os.devnull}")
    assert proc.returncode == 1, proc.stderr


# -- two reports, one file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outputs",
    [
        ("report.json", "json=./report.json"),
        ("sarif=out/r.sarif", "junit=out/../out/r.sarif"),
        ("-", "json=-"),
        ("sarif=-",),  # the text report already goes to standard output
    ],
)
def test_two_reports_naming_one_file_are_refused(work: Path, outputs: tuple[str, ...]) -> None:
    (work / "out").mkdir()
    args = [a for o in outputs for a in ("-o", o)]
    proc = scan(work, "x.cdx.json", *args)
    assert_clean_error(proc, "named by two reports", "each report needs a file of its own")
    assert sorted(p.name for p in work.iterdir()) == ["out", "x.cdx.json"]


@posix_only
def test_two_reports_naming_one_file_through_a_hard_link_are_refused(work: Path) -> None:
    (work / "a.xml").write_text("old")
    os.link(work / "a.xml", work / "b.xml")
    proc = scan(work, "x.cdx.json", "-o", "junit=a.xml", "-o", "sarif=b.xml")
    assert_clean_error(proc, "b.xml: named by two reports (junit=a.xml and sarif=b.xml)")
    assert (work / "a.xml").read_text() == "old"


# -- paths the policy file names stay inside its directory ----------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(SBOM, root / "sbom.cdx.json")
    return root


def policy(repo: Path, text: str) -> None:
    (repo / ".complycheck.yaml").write_text("jurisdictions: [US]\n" + text, encoding="utf-8")


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("{home}/.bashrc", "is outside the policy file's directory (an absolute path)"),
        ("../.bashrc", "is outside the policy file's directory (it climbs out with '..')"),
        ("reports/../../.bashrc", "is outside the policy file's directory (it climbs out with '..')"),
        ("home/.bashrc", "is outside the policy file's directory (through a symbolic link)"),
    ],
)
@posix_only
def test_policy_outputs_cannot_leave_the_policy_directory(repo: Path, entry: str, says: str) -> None:
    home = repo.parent / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export PATH=/usr/bin\n", encoding="utf-8")
    (repo / "home").symlink_to(home)  # a link committed to the repository
    (repo / "reports").mkdir()
    policy(repo, f"fail_on: fail\noutputs: [sarif={entry.format(home=home)}]\n")
    proc = run_cli("scan", "sbom.cdx.json", *SCAN, cwd=repo)
    assert_clean_error(proc, ".complycheck.yaml: line 3: output file ", says, "name other places on the command line")
    assert (home / ".bashrc").read_text() == "export PATH=/usr/bin\n"


def test_policy_outputs_are_written_next_to_the_policy_file(repo: Path, tmp_path: Path) -> None:
    (repo / "reports").mkdir()
    policy(repo, "outputs: [sarif=reports/complycheck.sarif, html=reports/../review.html]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_cli("scan", str(repo / "sbom.cdx.json"), *SCAN, "--config", str(repo / ".complycheck.yaml"), cwd=elsewhere)
    assert proc.returncode == 1, proc.stderr
    assert (repo / "reports" / "complycheck.sarif").is_file() and (repo / "review.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_the_command_line_may_write_anywhere(repo: Path, tmp_path: Path) -> None:
    policy(repo, "outputs: [sarif=../never.sarif]\n")  # not used: -o replaces the policy's outputs...
    proc = run_cli("scan", "sbom.cdx.json", *SCAN, "-o", f"sarif={tmp_path / 'cli.sarif'}", cwd=repo)
    # ...but the policy file is still checked: a hostile entry is an error even when -o is given.
    assert_clean_error(proc, ".complycheck.yaml: line 2: output file '../never.sarif' is outside the policy file's directory")
    policy(repo, "")
    proc = run_cli("scan", "sbom.cdx.json", *SCAN, "-o", f"sarif={tmp_path / 'cli.sarif'}", cwd=repo)
    assert proc.returncode == 1 and (tmp_path / "cli.sarif").is_file()


@pytest.mark.parametrize(
    ("entry", "says"),
    [("{org}", "is outside the policy file's directory (an absolute path)"), ("../org", "is outside the policy file's directory (it climbs out with '..')")],
)
def test_policy_rule_packs_cannot_leave_the_policy_directory(repo: Path, entry: str, says: str) -> None:
    org = repo.parent / "org"
    shutil.copytree(REPO / "examples" / "org-policy", org)
    policy(repo, f"rules: [{entry.format(org=org)}]\n")
    assert_clean_error(run_cli("scan", "sbom.cdx.json", *SCAN, cwd=repo), ".complycheck.yaml: line 2: 'rules' entry ", says)
    # The command line may name it.
    policy(repo, "")
    proc = run_cli("scan", "sbom.cdx.json", *SCAN, "--rules", str(org), cwd=repo)
    assert proc.returncode == 1, proc.stderr
