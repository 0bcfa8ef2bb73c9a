"""dpkg -l, dpkg-query -W, rpm -qa and rpm -qa --qf: detection, fields, verdicts, errors, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import INV, bad, detected, hits, read, read_as, write

from compliance.errors import InputError
from compliance.readers.linux_packages import split_nvra

FIX = INV / "linux"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("dpkg-l.txt", "dpkg-list"), ("dpkg-query.tsv", "dpkg-query"), ("rpm-qa-qf.tsv", "rpm-query"), ("rpm-qa.txt", "rpm-qa")],
)
def test_detect(name: str, fmt: str) -> None:
    assert detected(FIX / name) == fmt


def test_dpkg_l_fields() -> None:
    inv = read(FIX / "dpkg-l.txt")
    by = {c.name: c for c in inv.components}
    assert "klnagent64" not in by  # 'rc': removed, only configuration left
    assert inv.metadata["not_installed_rows"] == 1
    assert by["libc6"].purl == "pkg:deb/libc6@2.39-0ubuntu8.3?arch=amd64"
    assert by["kesl"].purl == "pkg:deb/kesl@12.1.0-1297?arch=amd64"
    assert by["kesl"].type == "deb" and by["kesl"].location == "line 8"
    # The description is never read: the yara row mentions Kaspersky and Tencent.
    assert all(not c.vendor_fields and not c.identifiers for c in inv.components)


def test_dpkg_l_without_architecture_column(tmp_path: Path) -> None:
    text = (
        "Desired=Unknown/Install/Remove/Purge/Hold\n"
        "| Status=Not/Installed/Config-f/Unpacked/Failed-cfg/Half-inst/t-aWait/T-pend\n"
        "|/ Err?=(none)/Hold/Reinst-required/X=both-problems (Status,Err: uppercase=bad)\n"
        "||/ Name           Version        Description\n"
        "+++-==============-==============-============================================\n"
        "ii  xpdf           2.03-2         Portable Document Format (PDF) suite\n"
    )
    c = read(write(tmp_path, "old.txt", text)).components[0]
    assert (c.name, c.version, c.purl) == ("xpdf", "2.03-2", "pkg:deb/xpdf@2.03-2")


def test_dpkg_query_fields() -> None:
    by = {c.name: c for c in read(FIX / "dpkg-query.tsv").components}
    assert by["kesl"].vendor_fields == [("maintainer", "AO Kaspersky Lab")]
    assert by["libc6"].purl == "pkg:deb/libc6@2.39-0ubuntu8.3?arch=amd64"


def test_rpm_qf_fields() -> None:
    by = {c.name: c for c in read(FIX / "rpm-qa-qf.tsv").components}
    assert by["kesl"].vendor_fields == [("vendor", "AO Kaspersky Lab")]
    assert by["gpg-pubkey"].vendor_fields == []  # (none)
    assert by["bash"].purl == "pkg:rpm/bash@5.1.8"


@pytest.mark.parametrize(
    ("nvra", "parts"),
    [
        ("kesl-12.1.0-1297.x86_64", ("kesl", "12.1.0", "1297", "x86_64")),
        ("kesl-gui-12.1.0-1297.x86_64", ("kesl-gui", "12.1.0", "1297", "x86_64")),
        ("python3-pyyaml-5.4.1-6.el9.x86_64", ("python3-pyyaml", "5.4.1", "6.el9", "x86_64")),
        ("gpg-pubkey-fd431d51-4ae0493b", ("gpg-pubkey", "fd431d51", "4ae0493b", "")),
        ("tzdata-2024a-1.el9.noarch", ("tzdata", "2024a", "1.el9", "noarch")),
        ("nope", None),
    ],
)
def test_split_nvra(nvra: str, parts: tuple[str, str, str, str] | None) -> None:
    assert split_nvra(nvra) == parts


def test_rpm_qa_fields() -> None:
    by = {c.name: c for c in read(FIX / "rpm-qa.txt").components}
    assert by["kesl"].version == "12.1.0-1297"
    assert by["kesl"].purl == "pkg:rpm/kesl@12.1.0-1297?arch=x86_64"
    assert by["kesl-gui"].type == "rpm"


def test_us_kaspersky_maintainer_and_vendor() -> None:
    for name in ("dpkg-query.tsv", "rpm-qa-qf.tsv"):
        f = FIX / name
        assert hits(f, "US", date(2024, 6, 1)) == set()
        after = hits(f, "US", date(2024, 10, 1), severities=("fail",))
        assert ("US-ICTS-KASPERSKY-2024", "kesl") in after
        assert {n for _, n in after} <= {"kesl", "klnagent64"}


def test_name_only_listings_match_only_declared_package_names(tmp_path: Path) -> None:
    """dpkg -l and rpm -qa carry no vendor: only package URLs the catalog declares (kesl) match."""
    assert {n for _, n in hits(FIX / "dpkg-l.txt", "US", date(2024, 10, 1), severities=("fail",))} == {"kesl"}
    assert {n for _, n in hits(FIX / "rpm-qa.txt", "US", date(2024, 10, 1), severities=("fail",))} == {"kesl", "kesl-gui"}
    lookalike = write(tmp_path, "l.txt", "kaspersky-1.0-1.noarch\nkasperskyish-tools-2.0-1.noarch\nwechat-3.0-1.x86_64\n")
    assert hits(lookalike, "US", date(2024, 10, 1)) == set()


@pytest.mark.parametrize(
    ("name", "text", "fmt", "where"),
    [
        ("a.txt", "Desired=Unknown/Install/Remove/Purge/Hold\n||/ Name Version Architecture Description\n+++-=-=-=-=\nii  onlyname\n", "dpkg-list", "line 4"),
        ("b.tsv", "bash\t5.1\tRed Hat, Inc.\nbroken line without tabs\n", "rpm-query", "line 2"),
        ("c.txt", "bash-5.1.8-9.el9.x86_64\nnope\n", "rpm-qa", "line 2"),
        ("d.tsv", "adduser\t3.1\tX <x@example.org>\nkesl\t1\tA\tB\tC\n", "dpkg-query", "line 2"),
    ],
)
def test_malformed(tmp_path: Path, name: str, text: str, fmt: str, where: str) -> None:
    p = write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        read_as(p, fmt)
    assert err.value.where == where


def test_dpkg_l_cut_short(tmp_path: Path) -> None:
    p = write(tmp_path, "cut.txt", "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst\n")
    assert "+++-===" in bad(p)


def test_cli() -> None:
    proc = run_cli("scan", str(FIX / "dpkg-query.tsv"), "-j", "US", "--as-of", "2024-10-01")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = run_cli("scan", str(FIX / "dpkg-l.txt"), "-j", "US", "--as-of", "2024-06-01")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert_clean_error(
        run_cli("scan", "-j", "US", str(FIX / "dpkg-l.txt"), "--input-format", "rpm-qa"), "dpkg-l.txt", "line 1"
    )
