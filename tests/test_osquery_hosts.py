"""An osqueryd results log aggregated from many hosts: one report section, and one verdict, per host."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_cli

LOG = REPO / "examples" / "inventories" / "osqueryd.results.log"
KAV = {"name": "Kaspersky Standard", "version": "21.19", "publisher": "AO Kaspersky Lab"}
ZIP = {"name": "7-Zip 24.08 (x64)", "version": "24.08", "publisher": "Igor Pavlov"}


def _event(host: str, row: dict, action: str = "added", t: int = 1) -> str:
    return json.dumps({"name": "pack_software_programs", "hostIdentifier": host, "unixTime": t,
                       "calendarTime": "x", "action": action, "columns": row})


def _scan_json(path: Path, *extra: str) -> dict:
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2024-10-01", "-f", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_each_host_is_its_own_section_with_its_own_verdict(tmp_path: Path) -> None:
    log = tmp_path / "fleet.results.log"
    log.write_text("\n".join([
        _event("pc-b", ZIP), _event("pc-a", KAV), _event("pc-c", KAV), _event("pc-c", KAV, "removed", 2),
        _event("pc-a", ZIP),
    ]) + "\n", encoding="utf-8")
    r = _scan_json(log, "--allow-empty")
    sections = {i["path"].rsplit("#", 1)[1]: i for i in r["inputs"]}
    assert [i["path"] for i in r["inputs"]] == [f"{log}#host=pc-a", f"{log}#host=pc-b", f"{log}#host=pc-c"]
    assert sections["host=pc-a"]["components"] == 2 and sections["host=pc-b"]["components"] == 1
    assert sections["host=pc-c"]["components"] == 0  # Kaspersky was added, then removed: a host with nothing left
    failing = {f["component"]["input"] for f in r["findings"] if f["severity"] == "fail"}
    assert failing == {f"{log}#host=pc-a"}
    assert r["fleet"]["inputs_scanned"] == 3 and r["fleet"]["inputs_failing"] == 1
    assert r["verdict"] == "fail"
    # Without --allow-empty the host with nothing left checked nothing: its section is an error (exit 2),
    # and the other hosts keep their own sections and findings.
    proc = run_cli("scan", str(log), "-j", "US", "--as-of", "2024-10-01", "-f", "json")
    strict = json.loads(proc.stdout)
    assert proc.returncode == 2 and strict["verdict"] == "error"
    assert [i["path"] for i in strict["inputs"] if "error" in i] == [f"{log}#host=pc-c"]
    assert {f["component"]["input"] for f in strict["findings"] if f["severity"] == "fail"} == {f"{log}#host=pc-a"}


def test_example_log_names_the_windows_host_that_fails() -> None:
    r = _scan_json(LOG)
    paths = [i["path"] for i in r["inputs"]]
    assert [p.rsplit("#host=", 1)[1] for p in paths] == ["WIN-7Q2K9", "mac-alex.corp.example"]
    fails = {(f["component"]["input"].rsplit("#host=", 1)[1], f["component"]["name"])
             for f in r["findings"] if f["severity"] == "fail"}
    assert fails == {("WIN-7Q2K9", "Kaspersky Standard")}


def test_single_host_log_stays_one_section_named_by_the_file(tmp_path: Path) -> None:
    log = tmp_path / "one.log"
    log.write_text(_event("pc-a", KAV) + "\n" + _event("pc-a", ZIP) + "\n", encoding="utf-8")
    r = _scan_json(log)
    assert [i["path"] for i in r["inputs"]] == [str(log)] and r["inputs"][0]["components"] == 2


def test_per_host_sections_are_the_same_in_workers(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(_event("h1", KAV) + "\n" + _event("h2", ZIP) + "\n", encoding="utf-8")
    (tmp_path / "b.log").write_text(_event("h3", ZIP) + "\n" + _event("h1", ZIP) + "\n", encoding="utf-8")
    one = run_cli("scan", str(tmp_path), "-j", "US", "--as-of", "2024-10-01", "-f", "json", "--jobs", "1")
    two = run_cli("scan", str(tmp_path), "-j", "US", "--as-of", "2024-10-01", "-f", "json", "--jobs", "2")
    assert one.stdout == two.stdout
    assert [i["path"].rsplit("/", 1)[1] for i in json.loads(one.stdout)["inputs"]] == [
        "a.log#host=h1", "a.log#host=h2", "b.log#host=h1", "b.log#host=h3"]


def test_a_generated_fleet_log_gives_one_section_per_host(tmp_path: Path) -> None:
    """The benchmark's log shape (benchmarks/bench_osquery.py times it at 100,000 hosts)."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import write_osquery_log

    log = tmp_path / "fleet.results.log"
    write_osquery_log(log, 3000)
    r = _scan_json(log)
    assert len(r["inputs"]) == 3000 and all(i["components"] >= 1 for i in r["inputs"])
    hosts = sorted({f["component"]["input"].rsplit("#host=", 1)[1] for f in r["findings"] if f["severity"] == "fail"})
    assert hosts == [f"WIN-{h:06d}.corp.example" for h in range(7, 3000, 50)]
    # Every tenth host removed its first program: 2 added, 1 removed (3 for a Kaspersky host).
    counts = {i["path"].rsplit("#host=", 1)[1]: i["components"] for i in r["inputs"]}
    assert counts["WIN-000003.corp.example"] == 1 and counts["WIN-000004.corp.example"] == 2


def test_line_separators_inside_a_json_string_do_not_split_a_line(tmp_path: Path) -> None:
    """U+2028, U+2029 and U+0085 are plain characters in a JSON string; only LF ends a results-log line."""
    row = dict(KAV, name="Kaspersky\u2028Standard\u0085")
    log = tmp_path / "one.log"
    lines = [json.dumps({"name": "pack_software_programs", "hostIdentifier": "h", "unixTime": 1,
                         "calendarTime": "x", "action": "added", "columns": r}, ensure_ascii=False)
             for r in (row, ZIP)]
    log.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    r = _scan_json(log)
    assert r["inputs"][0]["components"] == 2
