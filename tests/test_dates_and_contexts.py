"""Evaluation semantics: as-of dates at each boundary, the look-ahead window, and context scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.scan import ScanOptions, scan

KASPERSKY = {"name": "Kaspersky Internet Security", "supplier": {"name": "AO Kaspersky Lab"}}
WECHAT = {"name": "WeChat", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}}
TIKTOK = {"name": "TikTok", "publisher": "ByteDance Ltd."}
MICROSOFT = {"name": "Microsoft Office", "supplier": {"name": "Microsoft Corporation"}}
DAY = timedelta(days=1)


def status_of(write_bom, component, rule_id, *, as_of, jurisdictions, contexts=(), horizon=90):
    path = write_bom([component])
    report = scan(
        [str(path)],
        ScanOptions(jurisdictions=list(jurisdictions), contexts=list(contexts), as_of=as_of, horizon_days=horizon),
    )
    found = [f for f in report.findings if f.rule_id == rule_id]
    assert len(found) <= 1
    return (found[0].status, found[0].effective) if found else (None, None), report


# -- US BIS Final Determination: 2024-07-20 (new agreements, procurement) and 2024-09-29 (updates) -------

@pytest.mark.parametrize(
    "as_of, contexts, expected",
    [
        (date(2024, 7, 19), ["procurement"], ("upcoming", "2024-07-20")),
        (date(2024, 7, 20), ["procurement"], ("violation", "2024-07-20")),
        (date(2024, 7, 21), ["procurement"], ("violation", "2024-07-20")),
        # Without procurement the new-agreements ban is out of scope; updates are still upcoming.
        (date(2024, 7, 20), [], ("upcoming", "2024-09-29")),
        (date(2024, 9, 28), [], ("upcoming", "2024-09-29")),
        (date(2024, 9, 29), [], ("violation", "2024-09-29")),
        (date(2024, 9, 30), [], ("violation", "2024-09-29")),
        (date(2024, 9, 29), ["procurement"], ("violation", "2024-07-20")),
    ],
)
def test_us_bis_kaspersky_boundaries(write_bom, as_of, contexts, expected):
    got, report = status_of(write_bom, KASPERSKY, "US-ICTS-KASPERSKY-2024", as_of=as_of, jurisdictions=["US"], contexts=contexts)
    assert got == expected
    assert report.exit_code == (1 if expected[0] == "violation" else 0)


def test_us_bis_outside_the_look_ahead_window_is_silent(write_bom):
    got, _ = status_of(write_bom, KASPERSKY, "US-ICTS-KASPERSKY-2024", as_of=date(2024, 1, 1), jurisdictions=["US"])
    assert got == (None, None)
    got, _ = status_of(write_bom, KASPERSKY, "US-ICTS-KASPERSKY-2024", as_of=date(2024, 1, 1), jurisdictions=["US"],
                       horizon=365)
    assert got == ("upcoming", "2024-09-29")


def test_us_bis_new_agreements_out_of_scope_names_the_missing_context(write_bom):
    (status, _), report = status_of(write_bom, KASPERSKY, "US-ICTS-KASPERSKY-2024", as_of=date(2024, 8, 1),
                                    jurisdictions=["US"], horizon=0)
    assert status == "out-of-scope"
    f = next(f for f in report.findings if f.rule_id == "US-ICTS-KASPERSKY-2024")
    assert "--context procurement" in f.message
    assert report.exit_code == 0


# -- CA TBS WeChat and Kaspersky on government mobile devices: 2023-10-30 ----------------------------

@pytest.mark.parametrize("component", [WECHAT, KASPERSKY], ids=["wechat", "kaspersky"])
@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2023, 10, 29), "upcoming"),
        (date(2023, 10, 30), "violation"),
        (date(2023, 10, 31), "violation"),
    ],
)
def test_ca_wechat_kaspersky_boundaries(write_bom, component, as_of, expected):
    got, report = status_of(write_bom, component, "CA-TBS-WECHAT-KASPERSKY-2023", as_of=as_of, jurisdictions=["CA"],
                            contexts=["government", "mobile"])
    assert got == (expected, "2023-10-30")


@pytest.mark.parametrize(
    "contexts, expected",
    [
        ([], "out-of-scope"),
        (["government"], "out-of-scope"),
        (["mobile"], "out-of-scope"),
        (["procurement"], "out-of-scope"),
        (["government", "mobile"], "violation"),
        (["federal", "mobile"], "violation"),  # federal implies government
    ],
)
def test_ca_wechat_context_combinations(write_bom, contexts, expected):
    (status, _), report = status_of(write_bom, WECHAT, "CA-TBS-WECHAT-KASPERSKY-2023", as_of=date(2024, 1, 15),
                                    jurisdictions=["CA"], contexts=contexts)
    assert status == expected
    assert report.exit_code == (1 if expected == "violation" else 0)


def test_ca_tiktok_boundaries(write_bom):
    for as_of, expected in ((date(2023, 2, 27), "upcoming"), (date(2023, 2, 28), "violation"), (date(2023, 3, 1), "violation")):
        got, _ = status_of(write_bom, TIKTOK, "CA-TBS-TIKTOK-2023", as_of=as_of, jurisdictions=["CA"],
                           contexts=["government", "mobile"])
        assert got == (expected, "2023-02-28"), as_of


def test_us_ndaa_1634_needs_federal(write_bom):
    # In a US scan --context government is the national government, which in the US is the federal one.
    for contexts, expected in (([], "out-of-scope"), (["state-government"], "out-of-scope"),
                               (["government"], "violation"), (["federal"], "violation")):
        (status, _), _ = status_of(write_bom, KASPERSKY, "US-NDAA18-1634", as_of=date(2018, 10, 1),
                                   jurisdictions=["US"], contexts=contexts)
        assert status == expected, contexts
    got, _ = status_of(write_bom, KASPERSKY, "US-NDAA18-1634", as_of=date(2018, 9, 30), jurisdictions=["US"],
                       contexts=["federal"])
    assert got == ("upcoming", "2018-10-01")


def test_us_tiktok_models_the_act_and_the_omb_deadline(write_bom):
    # Signed 2022-12-29; removal required by OMB M-23-13 from 2023-03-29.
    got, _ = status_of(write_bom, TIKTOK, "US-NOTIKTOK-GOVDEVICES", as_of=date(2022, 12, 29), jurisdictions=["US"],
                       contexts=["federal"])
    assert got == ("upcoming", "2023-03-29")
    for as_of in (date(2023, 3, 29), date(2023, 3, 30)):
        got, _ = status_of(write_bom, TIKTOK, "US-NOTIKTOK-GOVDEVICES", as_of=as_of, jurisdictions=["US"],
                           contexts=["federal"])
        assert got == ("violation", "2023-03-29")
    got, _ = status_of(write_bom, TIKTOK, "US-NOTIKTOK-GOVDEVICES", as_of=date(2023, 3, 28), jurisdictions=["US"],
                       contexts=["federal"])
    assert got == ("upcoming", "2023-03-29")
    (status, _), _ = status_of(write_bom, TIKTOK, "US-NOTIKTOK-GOVDEVICES", as_of=date(2024, 1, 1), jurisdictions=["US"],
                               contexts=["state-government"])
    assert status == "out-of-scope"  # a state government device is not a federal one
    got, _ = status_of(write_bom, TIKTOK, "US-NOTIKTOK-GOVDEVICES", as_of=date(2024, 1, 1), jurisdictions=["US"],
                       contexts=["government"])
    assert got == ("violation", "2023-03-29")  # the US national government is the federal government


def test_ru_microsoft_withdrawal_is_advisory_never_a_failure(write_bom):
    for contexts, expected in (([], "out-of-scope"), (["procurement"], "advisory")):
        (status, _), report = status_of(write_bom, MICROSOFT, "RU-MICROSOFT-SUSPENSION-2022", as_of=date(2022, 3, 4),
                                        jurisdictions=["RU"], contexts=contexts)
        assert status == expected
        assert report.exit_code == 0
    got, _ = status_of(write_bom, MICROSOFT, "RU-MICROSOFT-SUSPENSION-2022", as_of=date(2022, 3, 3),
                       jurisdictions=["RU"], contexts=["procurement"])
    assert got == ("upcoming", "2022-03-04")


def test_fail_on_warn_turns_upcoming_and_advisory_into_failures(write_bom):
    path = write_bom([MICROSOFT])
    opts = ScanOptions(jurisdictions=["RU"], contexts=["procurement"], as_of=date(2024, 1, 1), fail_on="warn")
    report = scan([str(path)], opts)
    assert report.verdict == "fail" and report.exit_code == 1
    opts.fail_on = "never"
    report = scan([str(path)], opts)
    assert report.exit_code == 0


def test_jurisdiction_filter_excludes_other_countries(write_bom):
    path = write_bom([WECHAT])
    report = scan([str(path)], ScanOptions(jurisdictions=["US"], contexts=["government", "mobile"], as_of=date(2024, 1, 1)))
    assert all(f.jurisdiction != "CA" for f in report.findings)
    report = scan([str(path)], ScanOptions(jurisdictions=["ALL"], contexts=["government", "mobile"], as_of=date(2024, 1, 1)))
    assert any(f.rule_id == "CA-TBS-WECHAT-KASPERSKY-2023" and f.status == "violation" for f in report.findings)
