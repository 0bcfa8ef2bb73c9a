"""Company names led by where they are registered in mainland China ("Beijing ByteDance Technology Co.,
Ltd.", 北京字节跳动科技有限公司) and Chinese names written without spaces (腾讯音乐娱乐集团): the trade name
after the place, or the brand leading the characters, is the vendor's (weak evidence, as any brand leading
a longer name is). Without a legal form, or led by a word that is no place, nothing changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compliance.normalize import FOLD_PLACE, org_name, registered_place_cut, unspaced


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Beijing ByteDance Technology Co., Ltd.", ("bytedance", "technology")),
        ("Shenzhen Tencent Computer Systems Company Limited", ("tencent", "computer", "systems")),
        ("北京字节跳动科技有限公司", ("字节跳动科技",)),
        ("深圳市腾讯计算机系统有限公司", ("腾讯计算机系统",)),
        ("广东省某某科技有限公司", ("某某科技",)),
        ("ByteDance Ltd.", None),
        ("Beijing", None),  # a place alone leaves no name
        ("北京有限公司", None),
    ],
)
def test_the_leading_place_is_cut(text, cut):
    assert registered_place_cut(org_name(text)[0]) == cut


def test_unspaced_scripts():
    assert unspaced("腾") and unspaced("カ")
    assert not unspaced("a") and not unspaced("К") and not unspaced("한")


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        ("Beijing ByteDance Technology Co., Ltd.", "bytedance"),
        ("北京字节跳动科技有限公司", "bytedance"),
        ("深圳市腾讯计算机系统有限公司", "tencent"),
        ("腾讯音乐娱乐集团", "tencent"),  # Tencent Music, written without spaces
    ],
)
def test_the_trade_name_after_the_place_is_the_vendor_weakly(index, text, vendor):
    hit = index.lookup_org(text)
    assert hit is not None and hit.vendor == vendor
    assert hit.strength == "weak"
    # The evidence says when a place was read off (not for a brand leading a name written without spaces).
    assert (FOLD_PLACE in hit.folded) == (registered_place_cut(org_name(text)[0]) is not None)


@pytest.mark.parametrize(
    "text",
    [
        "Beijing ByteDance",  # no legal form: a place and a brand, not a registered name
        "Shenzhen Tencent",
        "Beijing Zhongguancun Software Co., Ltd.",  # a place, then no catalog brand
        "Springfield ByteDance Technology Co., Ltd.",  # led by a word that is no PRC place
        "百度网讯",  # no catalog brand leads
    ],
)
def test_nothing_else_matches(index, text):
    assert index.lookup_org(text) is None


def test_catalog_names_keep_their_strength(index):
    # The exact catalog names are found before any cut, with their own strength.
    assert index.lookup_org("Tencent Technology (Shenzhen) Company Limited").strength == "strong"
    assert index.lookup_org("腾讯").strength == "broad"


def test_scan_flags_a_publisher_named_by_its_registration(tmp_path: Path):
    inv = tmp_path / "fleet.csv"
    inv.write_text('name,version,publisher\n抖音,2.6.0,北京字节跳动科技有限公司\nNotepad,1.0,"Beijing ByteDance Technology Co., Ltd."\n',
                   encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "compliance", "vendors", "match", "--as", "vendor", "Beijing ByteDance Technology Co., Ltd."],
        capture_output=True, text=True,
    )
    assert out.returncode == 0 and "ByteDance (bytedance)" in out.stdout
    js = tmp_path / "r.json"
    res = subprocess.run(
        [sys.executable, "-m", "compliance", "scan", str(inv), "-j", "ALL", "-c", "government", "-c", "federal", "-c", "distribution", "--as-of", "2026-12-07", "-f", "json", "-o", str(js), "-q"],
        capture_output=True, text=True,
    )
    assert res.returncode == 1, res.stderr
    import json

    report = json.loads(js.read_text(encoding="utf-8"))
    vendors = {f["vendor"] for f in report["findings"]}
    assert vendors == {"bytedance"}
    flagged = {f["component"]["name"] for f in report["findings"]}
    assert flagged == {"抖音", "Notepad"}
