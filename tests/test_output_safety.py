"""Issue 9, output side: what reaches a pipe, a full disk, a terminal or a report file, through the real CLI.

Each test stages the fault for real (a ``head -c1`` that closes the pipe, ``/dev/full``, a file-size
limit that plays a full disk, a FIFO, a file name that is not UTF-8, a pseudo-terminal) and checks
what a user relies on: the exit code, one clean line on stderr, no raw escape sequence, no half file.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_clean_error, cli_argv, cli_env, run_cli

KASPERSKY = {"name": "Kaspersky Endpoint Security", "version": "11", "supplier": {"name": "AO Kaspersky Lab"}}
SCAN = ("-j", "US", "--as-of", "2025-06-01")
ESC_NAME = "evil\x1b]0;pwned\x07\x1b[2J\u202e.json"
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX pipes, devices and FIFOs")


def failing_bom(write_bom, n: int = 1, name: str | None = None) -> Path:
    comps = [dict(KASPERSKY, name=f"{KASPERSKY['name']} {i}", **{"bom-ref": f"k{i}"}) for i in range(n)]
    return write_bom(comps, name=name)


def assert_no_raw_controls(text: str) -> None:
    for ch in ("\x1b", "\x07", "\x9b", "\u202e", "\u200f", "\u061c", "\u2028", "\u2029"):
        assert ch not in text, (ch, text[:500])


# -- item 2: a closed pipe keeps the verdict's exit code -------------------------------------------------


def run_into_head(*args: str) -> tuple[int, bytes, str]:
    """``complycheck ARGS | head -c1`` with real processes: the report is far bigger than the pipe."""
    writer = subprocess.Popen(cli_argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
    head = subprocess.Popen(["head", "-c1"], stdin=writer.stdout, stdout=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.close()  # only head holds the read end, as in a shell pipeline
    first, _ = head.communicate(timeout=120)
    _, err = writer.communicate(timeout=120)
    return writer.returncode, first, err.decode("utf-8", "replace")


@posix_only
@pytest.mark.skipif(shutil.which("head") is None, reason="no head(1)")
@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ((), 1),  # FAIL stays FAIL
        (("--fail-on", "never"), 2),  # would exit 0, but the report was not delivered: never 0
        (("no-such-input.json",), 2),  # an input error stays an error
    ],
)
def test_closed_pipe_keeps_the_verdicts_exit_code(write_bom, extra: tuple[str, ...], code: int) -> None:
    bom = failing_bom(write_bom, 200)
    args = [a for a in extra if a.endswith(".json")]
    flags = [a for a in extra if not a.endswith(".json")]
    rc, first, err = run_into_head("scan", str(bom), *args, *SCAN, *flags, "-f", "json")
    assert first == b"{"
    assert rc == code, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "cannot write to standard output: the reader closed it (broken pipe)" in err


# -- item 10: a full disk is "cannot write", and -o never leaves half a report ---------------------------


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_stdout_on_a_full_device_is_one_clean_error(write_bom, fmt: str) -> None:
    bom = failing_bom(write_bom)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(cli_argv("scan", str(bom), *SCAN, "-f", fmt), stdout=full, stderr=subprocess.PIPE,
                              env=cli_env(), timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert err.strip().splitlines() == [f"complycheck: error: cannot write to standard output: {os.strerror(errno.ENOSPC)}"]


@posix_only
def test_closed_stdout_is_an_error_not_a_silent_pass(write_bom) -> None:
    clean = write_bom([{"name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}])
    proc = subprocess.run(cli_argv("scan", str(clean), *SCAN), stderr=subprocess.PIPE, env=cli_env(), timeout=120,
                          preexec_fn=lambda: os.close(1))  # as ``>&-`` in a shell
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == ["complycheck: error: cannot write to standard output: it is closed"]


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_output_file_on_a_full_device(write_bom) -> None:
    proc = run_cli("scan", str(failing_bom(write_bom)), *SCAN, "-o", "json=/dev/full")
    assert_clean_error(proc, f"/dev/full: cannot write report: {os.strerror(errno.ENOSPC)}")


def _small_disk() -> None:
    """A file-size limit plays a full disk: writes past 4 KiB fail with EFBIG instead of killing us."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@posix_only
def test_a_failed_report_write_leaves_the_old_file_and_no_temporary(write_bom, tmp_path: Path) -> None:
    bom = failing_bom(write_bom, 30)
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    target = out_dir / "report.html"
    target.write_text("previous report\n")
    proc = subprocess.run(cli_argv("scan", str(bom), *SCAN, "-q", "-o", f"html={target}"), capture_output=True,
                          env=cli_env(), timeout=120, preexec_fn=_small_disk)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().strip().splitlines() == [f"complycheck: error: {target}: cannot write report: {os.strerror(errno.EFBIG)}"]
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.html"]

    fresh = out_dir / "new.html"
    proc = subprocess.run(cli_argv("scan", str(bom), *SCAN, "-q", "-o", f"html={fresh}"), capture_output=True,
                          env=cli_env(), timeout=120, preexec_fn=_small_disk)
    assert proc.returncode == 2 and not fresh.exists()
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.html"]


@posix_only
def test_report_file_is_replaced_whole_and_keeps_its_mode(write_bom, tmp_path: Path) -> None:
    bom = failing_bom(write_bom)
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    proc = run_cli("scan", str(bom), *SCAN, "-q", "-o", f"json={target}")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(target.read_text())["verdict"] == "fail"
    assert (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.json", bom.name])
    # A link at the target is refused, never written through: tests/test_outputs_never_destroy.py


# -- item 7 (rule packs, waivers): a FIFO is refused, never waited on ------------------------------------


@posix_only
def test_fifo_waivers_and_rule_pack_files_are_refused(write_bom, tmp_path: Path) -> None:
    from test_rules_validate import write_pack

    fifo = tmp_path / "waivers.yaml"
    os.mkfifo(fifo)
    proc = run_cli("scan", str(failing_bom(write_bom)), *SCAN, "--waivers", str(fifo))
    assert_clean_error(proc, f"{fifo}: cannot read waivers file: not a regular file")

    pack = write_pack(tmp_path / "pack")
    os.mkfifo(pack / "vendors" / "zz.yaml")
    proc = run_cli("rules", "validate", str(pack))
    assert proc.returncode == 2
    assert f"{pack}/vendors/zz.yaml: cannot read rule pack file: not a regular file" in proc.stderr


# -- item 8: a file name that is not UTF-8 -------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes as a name")
def test_non_utf8_file_name_renders_in_every_format(tmp_path: Path) -> None:
    from compliance.formats import format_names

    inputs = tmp_path / "in"
    inputs.mkdir()
    doc = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [KASPERSKY]})
    name = os.path.join(os.fsencode(inputs), b"bad\xff\xfe name.cdx.json")
    try:
        with open(name, "w") as fh:
            fh.write(doc)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    out = tmp_path / "out"
    out.mkdir()
    for fmt in format_names():
        target = out / f"report.{fmt}"
        proc = run_cli("scan", str(inputs), os.fsdecode(name), *SCAN, "-q", "-o", f"{fmt}={target}")  # walked and given
        assert proc.returncode == 1, (fmt, proc.stderr)
        text = target.read_text(encoding="utf-8")
        shown = "bad%5Cxff%5Cxfe%20name.cdx.json" if fmt == "sarif" else "bad\\xff\\xfe name.cdx.json"
        assert shown in text.replace("\\\\", "\\"), fmt
    report = json.loads((out / "report.json").read_text())
    assert [i["path"].endswith("bad\\xff\\xfe name.cdx.json") for i in report["inputs"]] == [True, True]
    assert report["command"][3].endswith("bad\\xff\\xfe name.cdx.json")
    json.loads((out / "report.sarif").read_text())


# -- item 9: nothing untrusted reaches a terminal raw ----------------------------------------------------


def test_hostile_file_name_on_stderr_is_escaped(tmp_path: Path) -> None:
    proc = run_cli("scan", str(tmp_path / ESC_NAME), *SCAN)
    assert_clean_error(proc, "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202e.json: no such file")
    assert_no_raw_controls(proc.stderr)


@posix_only
def test_progress_line_on_a_terminal_is_escaped(write_bom, tmp_path: Path) -> None:
    import pty

    failing_bom(write_bom, name=ESC_NAME)
    failing_bom(write_bom, name="plain.cdx.json")
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(cli_argv("scan", str(tmp_path), *SCAN, "-q"), stdout=subprocess.PIPE, stderr=slave,
                              env=cli_env(), timeout=120)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "2/2" in shown and "\\x1b]0;pwned\\x07" in shown
    assert_no_raw_controls(shown)


def test_csv_header_in_evidence_and_in_errors_is_escaped(tmp_path: Path) -> None:
    header = "Maker\x1b[2J\u202e\x9b"
    path = tmp_path / "apps.csv"
    path.write_text(f"App,{header},Version\nKaspersky Endpoint Security,AO Kaspersky Lab,11\n", encoding="utf-8")
    proc = run_cli("scan", str(path), *SCAN, "--columns", f"name=App,vendor={header}")
    assert proc.returncode == 1, proc.stderr
    assert "Evidence:  Maker\\x1b[2J\\u202e\\x9b = 'AO Kaspersky Lab'" in proc.stdout
    assert_no_raw_controls(proc.stdout)
    proc = run_cli("scan", str(path), *SCAN, "--columns", "name=App,vendor=Nope")
    assert_clean_error(proc, "Maker\\x1b[2J\\u202e\\x9b")
    assert_no_raw_controls(proc.stderr)


def test_waiver_keys_on_stderr_are_escaped(write_bom, tmp_path: Path) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text('- rule: X\n  name: a\n  reason: r\n  "\\e]0;pwned\\a\\u202e": 1\n', encoding="utf-8")
    proc = run_cli("scan", str(failing_bom(write_bom)), *SCAN, "--waivers", str(waivers))
    assert_clean_error(proc, "unknown key(s) \\x1b]0;pwned\\x07\\u202e")
    assert_no_raw_controls(proc.stderr)


def test_org_rule_titles_in_rules_list_and_show_are_escaped(tmp_path: Path) -> None:
    from test_rules_validate import rule, write_pack

    title = "Acme\x1b]0;pwned\x07 ban \u202egnp.exe\u2066\u200f\u061c\u2029"
    pack = write_pack(tmp_path / "pack", rules=[rule(title=title)])
    for args in (("rules", "list"), ("rules", "show", "XX-ACME-2024")):
        proc = run_cli(*args, "--rules", str(pack), "--no-builtin-rules")
        assert proc.returncode == 0, proc.stderr
        assert "Acme\\x1b]0;pwned\\x07 ban \\u202egnp.exe\\u2066\\u200f\\u061c" in proc.stdout
        assert_no_raw_controls(proc.stdout)


def test_github_annotations_pass_no_escape_sequence(write_bom) -> None:
    bom = write_bom([dict(KASPERSKY, name="Kaspersky Endpoint Security\x1b[2J 100%\r\n::error::forged\u202e")])
    proc = run_cli("scan", str(bom), *SCAN, "-f", "github")
    assert proc.returncode == 1, proc.stderr
    assert_no_raw_controls(proc.stdout)
    assert "\\x1b[2J 100%25%0D%0A%3A%3Aerror%3A%3Aforged\\u202e" in proc.stdout  # title: a property
    assert not any(line.startswith("::error::forged") for line in proc.stdout.splitlines())


def test_text_report_escapes_every_separator_and_bidi_mark(write_bom) -> None:
    bom = write_bom([dict(KASPERSKY, name="Kaspersky \u200f\u061c\u2028\u2029\u2066\x85\x7f")])
    proc = run_cli("scan", str(bom), *SCAN)
    assert proc.returncode == 1
    assert "Kaspersky \\u200f\\u061c\\u2028\\u2029\\u2066\\x85\\x7f" in proc.stdout
    assert_no_raw_controls(proc.stdout)


# -- item 11: an error never echoes megabytes -----------------------------------------------------------


def test_error_lines_are_capped(write_bom, tmp_path: Path) -> None:
    huge = "A" * 1_000_000
    bom = tmp_path / "huge.cdx.json"
    bom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": huge, "version": 1, "components": []}))
    proc = run_cli("scan", str(bom), str(failing_bom(write_bom)), *SCAN, "-f", "json")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 1000 and str(bom) in lines[0]
    assert f"specVersion '{'A' * 80}'... (1,000,000 characters)" in lines[0]
    assert len(json.loads(proc.stdout)["inputs"][0]["error"]) < 1000
    waivers = tmp_path / "w.yaml"
    waivers.write_text(f"- rule: X\n  purl: {huge}\n  reason: r\n")
    proc = run_cli("scan", str(bom), *SCAN, "--waivers", str(waivers))
    assert_clean_error(proc, f"{waivers}: waiver 1 (rule X): 'purl' '{'A' * 80}'... (1,000,000 characters) is not a package URL")


# -- item 4: hostile YAML in waivers and rule packs ------------------------------------------------------


HOSTILE_YAML = [
    ("- rule: X\n  name: a\n  reason: !!int abc\n", "line 3: 'abc' is not a valid !!int value"),
    ("- rule: X\n  name: a\n  reason: !!float abc\n", "line 3: 'abc' is not a valid !!float value"),
    ("- rule: X\n  name: a\n  reason: r\n  expires: !!timestamp nope\n", "line 4: 'nope' is not a valid !!timestamp value"),
    ("- rule: X\n  name: a\n  reason: " + "9" * 5000 + "\n", "line 3: integer of 5,000 characters"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "line 1: YAML anchors and aliases (&name, *name) are not allowed"),
    ("[" * 100 + "\n", "line 1: nested more than 64 levels deep"),  # our limit, under any parser's own
    # Far deeper: libyaml may stop it first, in its own words. The contract is the file and the line.
    ("[" * 50_000 + "\n", "line 1: "),
    ("- rule: X\n  name: !!python/object/apply:os.system [echo]\n", "line 2: invalid YAML"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE_YAML)
def test_hostile_waiver_files_are_one_clean_line(write_bom, tmp_path: Path, text: str, message: str) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text(text, encoding="utf-8")
    proc = run_cli("scan", str(failing_bom(write_bom)), *SCAN, "--waivers", str(waivers))
    assert_clean_error(proc, f"{waivers}: {message}")


@pytest.mark.parametrize(("text", "message"), HOSTILE_YAML)
def test_hostile_rule_pack_files_are_reported_not_crashed_on(tmp_path: Path, text: str, message: str) -> None:
    from test_rules_validate import write_pack

    pack = write_pack(tmp_path / "pack")
    (pack / "jurisdictions" / "XX.yaml").write_text(text, encoding="utf-8")
    proc = run_cli("rules", "validate", str(pack))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{pack}/jurisdictions/XX.yaml: {message}" in proc.stderr


def test_oversized_waiver_file_is_refused_before_parsing(write_bom, tmp_path: Path) -> None:
    waivers = tmp_path / "w.yaml"
    with open(waivers, "w") as fh:
        entry = "- rule: X\n  name: a\n  reason: r\n"
        fh.write(entry * (3 * 1024 * 1024 // len(entry)))
    proc = run_cli("scan", str(failing_bom(write_bom)), *SCAN, "--waivers", str(waivers))
    assert_clean_error(proc, f"{waivers}: waivers file is", "over the 2,097,152-byte limit")


def test_rule_pack_validator_quotes_huge_values_short(tmp_path: Path) -> None:
    from test_rules_validate import rule, write_pack

    pack = write_pack(tmp_path / "pack", rules=[rule(contexts="g" * 1_000_000)])
    proc = run_cli("rules", "validate", str(pack))
    assert proc.returncode == 2
    assert max(len(line) for line in proc.stderr.splitlines()) < 1000
    assert f"{pack}/jurisdictions/XX.yaml: rule XX-ACME-2024: contexts: " in proc.stderr
