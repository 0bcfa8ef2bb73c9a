"""The policy file, waivers and rule packs mean what a reviewer reads (issue 17, section 3).

YAML keeps the last of two equal keys silently, so a ``fail_on: never`` at the bottom of a policy file
would overrule the ``fail_on: fail`` a reviewer reads at the top. Every YAML file complycheck reads
refuses a repeated key with one line naming both lines; every parser error is one
``FILE: line N: ...`` line, exit 2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, assert_clean_error, run_cli

from compliance import config, yamlsafe
from compliance.yamlsafe import YamlFileError

SBOM = EXAMPLES / "endpoint-security-suite.cdx.json"  # three Kaspersky violations under -j US
AS_OF = ("--as-of", "2025-06-01")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(SBOM, tmp_path / "sbom.cdx.json")
    return tmp_path


def scan_in(repo: Path, *args: str):
    return run_cli("scan", "sbom.cdx.json", *AS_OF, *args, cwd=repo)


def test_a_repeated_policy_key_is_refused_naming_both_lines(repo: Path) -> None:
    (repo / ".complycheck.yaml").write_text(
        "jurisdictions: [US]\nfail_on: fail\ncontexts: [procurement]\nhorizon: 90\nfail_on: never\n", encoding="utf-8"
    )
    proc = scan_in(repo)
    assert_clean_error(proc, ".complycheck.yaml: line 5: key 'fail_on' given twice (first at line 2)")
    assert proc.stdout == ""  # no report from a policy nobody can read one way


def test_a_key_spelt_with_dash_and_underscore_is_the_same_key_given_twice(repo: Path) -> None:
    (repo / ".complycheck.yaml").write_text("jurisdictions: [US]\nfail_on: fail\nfail-on: never\n", encoding="utf-8")
    assert_clean_error(scan_in(repo), ".complycheck.yaml: line 3: key 'fail_on' given twice (first at line 2")


def test_a_merge_key_cannot_hide_a_second_value(repo: Path) -> None:
    (repo / ".complycheck.yaml").write_text("jurisdictions: [US]\nfail_on: fail\n<<: {fail_on: never}\n", encoding="utf-8")
    proc = scan_in(repo)
    assert_clean_error(proc, ".complycheck.yaml: line ", "key 'fail_on' given twice (first at line ")


def test_a_waiver_with_two_expiry_dates_is_refused_not_revived(repo: Path) -> None:
    waivers = repo / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - rule: US-ICTS-KASPERSKY-2024\n"
        "    vendor: kaspersky\n"
        "    expires: 2024-01-31\n"
        "    reason: Replaced by CHG-42\n"
        "    expires: 2099-12-31\n",
        encoding="utf-8",
    )
    proc = scan_in(repo, "-j", "US", "--waivers", "waivers.yaml")
    assert_clean_error(proc, "waivers.yaml: line 6: key 'expires' given twice (first at line 4)")


def test_a_waiver_key_given_under_two_spellings_is_refused(repo: Path) -> None:
    waivers = repo / "waivers.yaml"
    waivers.write_text("- rule: X\n  bom_ref: a\n  bom-ref: b\n  reason: r\n", encoding="utf-8")
    assert_clean_error(scan_in(repo, "-j", "US", "--waivers", "waivers.yaml"), "waivers.yaml: waiver 1", "'bom-ref' given twice")


def test_a_repeated_key_in_a_rule_pack_names_the_file_and_both_lines(tmp_path: Path) -> None:
    from test_rules_validate import write_pack

    pack = write_pack(tmp_path / "pack")
    target = pack / "jurisdictions" / "XX.yaml"
    target.write_text("code: XX\nname: Nowhere\ncode: YY\n", encoding="utf-8")
    proc = run_cli("rules", "validate", str(pack))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{target}: line 3: key 'code' given twice (first at line 1)" in proc.stderr.splitlines()


def test_equal_keys_spelt_differently_are_the_same_key() -> None:
    with pytest.raises(YamlFileError) as info:
        yamlsafe.parse_yaml("1: a\n0x1: b\n", "f.yaml")
    assert info.value.line == 2 and "given twice (first at line 1)" in str(info.value)


def test_a_tab_after_a_policy_key_is_never_an_internal_error(repo: Path) -> None:
    """libyaml reads ``fail_on:<TAB>fail`` as the reviewer does; it used to crash a second, stricter parser."""
    (repo / ".complycheck.yaml").write_text("jurisdictions: [US]\nfail_on:\tfail\n", encoding="utf-8")
    proc = scan_in(repo, "-q")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    if yaml.__with_libyaml__:
        assert proc.returncode == 1, proc.stderr  # the gate the reviewer read: fail on fail
    else:
        assert_clean_error(proc, ".complycheck.yaml: line 2: ")


def test_a_tab_in_the_indentation_is_one_line_naming_the_line(repo: Path) -> None:
    (repo / ".complycheck.yaml").write_text("jurisdictions:\n  - US\n\t- CA\n", encoding="utf-8")
    assert_clean_error(scan_in(repo), ".complycheck.yaml: line 3: ")


def test_the_pure_python_parser_reports_a_tab_as_one_line(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the stricter scanner refuses the TAB: still ``FILE: line N``, never a crash."""

    class PureParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    class PureLoader(PureParser, yaml.composer.Composer, yamlsafe._Constructor, yamlsafe._Resolver):
        def __init__(self, text: str) -> None:
            PureParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yamlsafe._Constructor.__init__(self)
            yamlsafe._Resolver.__init__(self)

    monkeypatch.setattr(yamlsafe, "_Parser", PureParser)
    monkeypatch.setattr(yamlsafe, "_Loader", PureLoader)
    policy = repo / ".complycheck.yaml"
    policy.write_text("jurisdictions: [US]\nfail_on:\tfail\n", encoding="utf-8")
    with pytest.raises(YamlFileError) as info:
        config.load_policy(str(policy))
    assert info.value.path == str(policy) and info.value.line == 2
    policy.write_text("jurisdictions: [US]\nfail_on: fail\nfail_on: never\n", encoding="utf-8")
    with pytest.raises(YamlFileError, match="key 'fail_on' given twice") as info:
        config.load_policy(str(policy))
    assert info.value.line == 3
