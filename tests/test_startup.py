"""What a small scan loads: the start-up path stays free of modules it does not use.

A five-component scan is mostly start-up, so its cost is decided by what gets imported. These tests
run the real CLI in a fresh interpreter and look at ``sys.modules`` when it exits: a CycloneDX JSON
scan with a warm rule-pack cache and no policy file must not load PyYAML, the XML or CSV readers,
jsonschema or the report formats it does not write. They check structure, not time, so they fail
on the import that slipped back in, whatever machine they run on.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, cli_env, run_cli

from compliance.readers import READERS, reader_names

# Runs the CLI in-process, then reports its exit code and every module it loaded.
PROBE = """
import json, sys
from compliance.cli import main
code = None
try:
    main(sys.argv[1:], prog_name="complycheck")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""

# Never needed by a CycloneDX JSON scan whose rule pack comes from the cache and that has no policy file.
NOT_ON_THE_SCAN_PATH = [
    "yaml",
    "compliance.yamlsafe",
    "compliance.waivers",
    "compliance.rulepack.validate",
    "compliance.rulepack.loader",  # reads and validates YAML: a cached pack needs only the cache and the records
    "jsonschema",
    "xml.etree.ElementTree",
    "pyexpat",
    "csv",
    "compliance.readers.xmlsafe",
    "compliance.readers.tabular",
    "compliance.parallel",
    "multiprocessing",
    "tempfile",
    "pickle",  # the cache is msgpack, never a pickle
    "_pickle",
    "hmac",  # cache entries are authenticated with the interpreter's own SHA-256
    "hashlib",  # small inputs are hashed without loading OpenSSL
    "difflib",  # click's "did you mean" suggestions, never shown for -j / -f
    "pathlib",  # a cached rule pack is found with os.path strings; pathlib is for reading YAML packs
    "urllib.parse",  # imported by pathlib
    "ipaddress",  # imported by urllib.parse
    "select",  # only to wait for the writer of a FIFO input
    # lookups that explain (compliance.cli_lookups registers them; their work is imported when they run)
    "compliance.lookup",
    "compliance.match_explain",
    "compliance.explain",
    "compliance.effective_config",
    "compliance.termtable",
    "compliance.rulepack.listing",
    *(
        f"compliance.readers.{module}"
        for module in (
            "cyclonedx_xml", "spdx_json", "spdx_tagvalue", "winget_export", "system_profiler", "osquery",
            "windows_uninstall", "jamf", "intune", "android_pm", "linux_packages", "generic_csv",
        )
    ),
]


if sys.platform == "linux":  # the cache directory is worked out without platformdirs there
    NOT_ON_THE_SCAN_PATH.append("platformdirs")


def _scan_modules(cwd: Path, *args: str) -> tuple[int, set[str]]:
    code, modules, _stdout = _scan(cwd, *args)
    return code, modules


def _scan(cwd: Path, *args: str) -> tuple[int, set[str], str]:
    """Scan in a fresh interpreter whose rule-pack cache is the default XDG one below ``cwd``."""
    env = cli_env()
    env["XDG_CACHE_HOME"] = str(cwd / "xdg-cache")
    env["XDG_STATE_HOME"] = str(cwd / "xdg-state")
    env.pop("COMPLYCHECK_CACHE_KEY_FILE", None)
    if sys.platform == "linux":
        env.pop("COMPLYCHECK_CACHE_DIR", None)
    else:  # platformdirs' own directory would lie outside the test's temporary directory
        env["COMPLYCHECK_CACHE_DIR"] = str(cwd / "xdg-cache" / "complycheck")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "scan", *args],
        capture_output=True, text=True, cwd=str(cwd), env=env, timeout=120,
    )
    marker = proc.stderr.rpartition("\nMODULES ")[2]
    assert marker != proc.stderr, proc.stderr
    result = json.loads(marker)
    return result["code"], set(result["modules"]), proc.stdout


@pytest.fixture
def warm(tmp_path: Path) -> Path:
    """A working directory without a policy file, after one scan has filled the rule-pack cache."""
    _scan_modules(tmp_path, str(EXAMPLES / "clean-web-app.cdx.json"), "-j", "US")
    assert list((tmp_path / "xdg-cache" / "complycheck").glob("rulepack-*.msgpack"))
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_cyclonedx_json_scan_loads_only_what_it_uses(warm: Path, fmt: str) -> None:
    code, modules = _scan_modules(warm, str(EXAMPLES / "endpoint-security-suite.cdx.json"), "-j", "US", "-f", fmt)
    assert code == 1  # the SBOM has barred components: matching, findings and the report all ran
    assert {"compliance.readers.cyclonedx_json", "compliance.engine", f"compliance.formats.{_module(fmt)}"} <= modules
    assert sorted(set(NOT_ON_THE_SCAN_PATH) & modules) == []
    other_formats = {f"compliance.formats.{m}" for m in ("sarif", "junit", "markdown", "html_report", "csv_report")}
    assert sorted(other_formats & modules) == []


def test_inputs_are_named_by_the_same_sha256_without_hashlib(warm: Path) -> None:
    """The digest a report names an input by does not depend on which SHA-256 implementation took it."""
    sbom = EXAMPLES / "endpoint-security-suite.cdx.json"
    _code, modules, stdout = _scan(warm, str(sbom), "-j", "US", "-f", "json")
    assert "hashlib" not in modules
    (section,) = json.loads(stdout)["inputs"]
    assert section["sha256"] == hashlib.sha256(sbom.read_bytes()).hexdigest()


def test_a_policy_file_still_loads_yaml_and_its_waivers(warm: Path) -> None:
    """The lazy imports are where they are needed: a policy file is read (and its waiver applied)."""
    (warm / ".complycheck.yaml").write_text(
        "jurisdictions: [US]\nwaivers:\n  - rule: 'US-*'\n    name: Kaspersky Anti-Virus SDK\n    reason: test\n",
        encoding="utf-8",
    )
    code, modules = _scan_modules(warm, str(EXAMPLES / "endpoint-security-suite.cdx.json"), "-f", "json")
    assert code in (0, 1)
    assert {"yaml", "compliance.yamlsafe", "compliance.waivers"} <= modules


def test_another_format_imports_the_readers_tried_before_it(warm: Path) -> None:
    """Detection still tries the readers in order: a CycloneDX XML input is read by its reader."""
    code, modules = _scan_modules(warm, str(EXAMPLES / "mobile-fleet-apps.cdx.xml"), "-j", "US", "-f", "json")
    assert code in (0, 1)
    assert {"compliance.readers.cyclonedx_json", "compliance.readers.cyclonedx_xml"} <= modules
    assert "compliance.readers.generic_csv" not in modules


def test_the_registry_names_are_the_reader_classes_names() -> None:
    """``reader_names()`` (no import) lists exactly the classes detection tries, in the same order."""
    classes = list(READERS)
    assert [cls.name for cls in classes] == reader_names()
    assert len(classes) == len(READERS) == 18 and len(set(reader_names())) == 18
    assert classes[-1].name == "csv" and READERS[-1] is classes[-1] and READERS[:2] == classes[:2]


def test_the_rule_pack_package_still_offers_its_names() -> None:
    """``compliance.rulepack`` imports its loader on first use; every public name is still there, and
    the first use of one loads it (in a fresh interpreter, where nothing loaded it before)."""
    probe = (
        "import sys, compliance.rulepack as rp\n"
        "before = 'compliance.rulepack.loader' in sys.modules\n"
        "from compliance.rulepack import RulePack, load_rule_pack\n"
        "from compliance.rulepack.loader import load_rule_pack as direct\n"
        "from compliance.rulepack.model import RulePack as record\n"
        "names = [getattr(rp, n) for n in rp.__all__]\n"
        "print(before, load_rule_pack is direct, RulePack is record, len(names), isinstance(load_rule_pack(), RulePack))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.stdout.split() == ["False", "True", "True", "10", "True"], proc.stderr
    import compliance.rulepack as rulepack

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = rulepack.no_such_name  # type: ignore[attr-defined]


def _module(fmt: str) -> str:
    return {"json": "json_report"}.get(fmt, fmt)


def _entry_point_state(cwd: Path, state: str, before: str = "", after: str = "") -> tuple[list[str], str]:
    """Run ``complycheck scan ENDPOINT -j US -f json`` through the entry point (``compliance.__main__.run``)
    in a fresh interpreter, with the code ``before`` and ``after`` it, then write the f-string ``state``:
    the exit code and the words of ``state``, and standard output."""
    probe = (
        "import gc, sys\n"
        "from compliance.__main__ import run\n"
        "sys.argv = ['complycheck', 'scan', sys.argv[1], '-j', 'US', '-f', 'json']\n"
        "import compliance.cli as cli\n"
        "cli._finish = sys.exit  # the probe must see the exit to look at the state after it\n"
        f"{before}"
        "try:\n    run()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"{after}"
        f"sys.stderr.write('\\nSTATE ' + str(code) + ' ' + f{state!r} + '\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(EXAMPLES / "endpoint-security-suite.cdx.json")],
        capture_output=True, text=True, cwd=str(cwd), env=cli_env(), timeout=120,
    )
    assert "\nSTATE " in proc.stderr, proc.stderr
    return proc.stderr.rpartition("\nSTATE ")[2].split(), proc.stdout


def test_the_entry_point_pauses_the_collector_only_while_starting(warm: Path) -> None:
    """``complycheck`` loads its modules with the collector paused, then freezes them and resumes it:
    the command runs with the collector on, and nothing of the start-up is left to collect."""
    before = (
        "import compliance.scan as library\n"
        "scan = library.scan\n"
        "seen = []\n"
        "library.scan = lambda *a, **k: (seen.append(gc.isenabled()), scan(*a, **k))[1]\n"
        "from compliance.cli import STARTUP_MODULES\n"
    )
    state = "{seen} {gc.isenabled()} {gc.get_freeze_count() > 0} {set(STARTUP_MODULES['scan']) <= set(sys.modules)}"
    words, stdout = _entry_point_state(warm, state, before=before)
    assert words == ["1", "[True]", "True", "True", "True"]
    assert json.loads(stdout)["verdict"] == "fail"


def test_the_entry_point_loads_msgspec_without_typing_extensions(warm: Path) -> None:
    """``complycheck`` imports msgspec with ``typing_extensions`` held off (3 ms of a small scan); the scan
    is the same, and a later import of ``typing_extensions`` in that process works as usual."""
    after = (
        "loaded = 'typing_extensions' in sys.modules\n"
        "try:\n    import typing_extensions\n    later = 'ok'\nexcept ImportError:\n    later = 'not-installed'\n"
    )
    words, stdout = _entry_point_state(warm, "{loaded} {later}", after=after)
    assert words[:2] == ["1", "False"] and words[2] in ("ok", "not-installed")
    assert json.loads(stdout)["verdict"] == "fail"


@pytest.mark.parametrize(
    ("args", "named", "suggested"),
    [
        (["--jurisdicton", "US"], "--jurisdicton", "--jurisdiction"),
        (["-j", "US", "-x"], "-x", None),
    ],
)
def test_option_errors_keep_their_suggestions(args: list[str], named: str, suggested: str | None) -> None:
    """Short options skip the suggestions only where click discards them: a misspelt long option still gets one.

    The wording is click's; what is ours is that the option is named and the suggestion still given.
    """
    proc = run_cli("scan", str(EXAMPLES / "clean-web-app.cdx.json"), *args)
    last = proc.stderr.rstrip().splitlines()[-1]
    assert proc.returncode == 2 and named in last, proc.stderr
    if suggested:
        assert suggested in last, proc.stderr
    else:
        assert "--" not in last, proc.stderr


def test_only_the_command_ends_without_teardown(warm: Path) -> None:
    """The command ends a finished scan with os._exit (reports written and flushed); a program calling
    ``compliance.cli.main`` in its own process gets an ordinary SystemExit and goes on."""
    sbom = str(EXAMPLES / "endpoint-security-suite.cdx.json")
    library = (
        "import sys\n"
        "from compliance.cli import main\n"
        "sys.argv = ['complycheck', 'scan', sys.argv[1], '-j', 'US', '-q']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print('AFTER', exc.code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", library, sbom], capture_output=True, text=True, cwd=str(warm),
                          env=cli_env(), timeout=120)
    assert proc.stdout.splitlines()[-1] == "AFTER 1", proc.stdout + proc.stderr
    command = run_cli("scan", sbom, "-j", "US", "-f", "json")
    assert command.returncode == 1 and json.loads(command.stdout)["verdict"] == "fail"

