"""Matching on identity: normalisation, identifiers, and the known false-positive traps."""

from __future__ import annotations

from datetime import date

import pytest

from compliance.identifiers import cpe_vendor_product, purl_key, swid_namespace
from compliance.matching import VendorIndex
from compliance.model import Component
from compliance.normalize import is_distinctive, org_tokens, product_tokens
from compliance.scan import ScanOptions, scan


@pytest.mark.parametrize(
    "name, expected",
    [
        ("AO Kaspersky Lab", ("kaspersky", "lab")),
        ("Kaspersky Lab, Inc.", ("kaspersky", "lab")),
        ("KASPERSKY LAB ZAO", ("kaspersky", "lab")),
        ("Kaspersky Labs GmbH", ("kaspersky", "labs")),
        ("Tencent Technology (Shenzhen) Company Limited", ("tencent", "technology", "shenzhen")),
        ("腾讯科技(深圳)有限公司", ("腾讯科技", "深圳")),
        ("Société Générale S.A.", ("societe", "generale")),
        ("Co., Ltd.", ()),
        ("L.L.C.", ()),
    ],
)
def test_org_tokens_fold_case_accents_punctuation_and_legal_forms(name, expected):
    assert org_tokens(name) == expected


def test_names_with_nothing_distinctive_never_match(index):
    assert not is_distinctive(org_tokens("Co., Ltd."))
    for junk in ("Co., Ltd.", "Inc.", "GmbH", "有限公司", "  ", "LLC"):
        comp = Component(name="x", vendor_fields=[("supplier.name", junk)])
        assert index.match(comp) == [], junk


def test_product_tokens_drop_trailing_platform_and_version_words():
    assert product_tokens("Kaspersky Endpoint Security for Windows (x64) 12.1") == ("kaspersky", "endpoint", "security")
    assert product_tokens("WeChat 3.9.10.19") == ("wechat",)
    assert product_tokens("WeChat Open SDK") == ("wechat", "open", "sdk")


def test_identifier_parsing():
    assert purl_key("pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0?type=aar#sub") == (
        "maven/com.tencent.mm.opensdk/wechat-sdk-android"
    )
    assert purl_key("pkg:npm/%40babel/runtime@7.0.0") == "npm/@babel/runtime"
    assert purl_key("not a purl") is None and purl_key("pkg:pypi/") is None
    assert cpe_vendor_product("cpe:2.3:a:kaspersky:total_security:*:*:*:*:*:*:*:*") == ("kaspersky", "total_security")
    assert cpe_vendor_product("cpe:/a:kaspersky:kaspersky_anti-virus:6.0") == ("kaspersky", "kaspersky_anti-virus")
    assert cpe_vendor_product("cpe:2.3:a:*:x") is None
    assert swid_namespace("regid.2006-05.com.kaspersky.kes") == "com.kaspersky.kes"


def vendors_of(index, **kw) -> set[tuple[str, str | None]]:
    comp = Component(name=kw.pop("name", "x"), **kw)
    return {(m.vendor.id, m.product.id if m.product else None) for m in index.match(comp)}


def test_identifiers_match_by_exact_value_or_declared_prefix(index):
    assert vendors_of(index, identifiers=[("android", "com.kms.free", "id")]) == {("kaspersky", "kaspersky-internet-security")}
    assert vendors_of(index, identifiers=[("android", "com.kaspersky.kes", "id")]) == {("kaspersky", "kaspersky-endpoint-security")}
    # A prefix only counts at a dot boundary.
    assert vendors_of(index, identifiers=[("android", "com.kasperskyish.app", "id")]) == set()
    assert vendors_of(index, identifiers=[("bundle", "com.tencent.xin", "id")]) == {("tencent", "wechat")}
    assert vendors_of(index, identifiers=[("winget", "Tencent.WeChat", "id")]) == {("tencent", "wechat")}
    assert vendors_of(index, identifiers=[("winget", "Kaspersky.KasperskyTotalSecurity", "id")]) == {
        ("kaspersky", "kaspersky-total-security")
    }
    assert vendors_of(index, identifiers=[("cpe", "cpe:2.3:a:kaspersky:secure_mail_gateway:2:*:*:*:*:*:*:*", "cpe")]) == {
        ("kaspersky", "kaspersky-secure-mail-gateway")
    }
    # A CPE product the catalog does not list (the unsourced security_center pair was dropped) still names the vendor.
    assert vendors_of(index, identifiers=[("cpe", "cpe:2.3:a:kaspersky:security_center:14:*:*:*:*:*:*:*", "cpe")]) == {
        ("kaspersky", None)
    }
    assert vendors_of(index, identifiers=[("winget", "Kaspersky.Lab", "id")]) == {("kaspersky", "kaspersky-security-center")}
    assert vendors_of(index, identifiers=[("swid", "regid.2006-05.com.kaspersky", "swid")]) == {("kaspersky", None)}


def test_team_id_alone_identifies_tencent_not_wechat(index):
    assert vendors_of(index, name="QQ", identifiers=[("team_id", "5A4RE8SF68", "signed_by")]) == {("tencent", "qq")}
    assert vendors_of(index, name="Some Tencent App", identifiers=[("team_id", "5A4RE8SF68", "signed_by")]) == {
        ("tencent", None)
    }
    both = [("team_id", "5A4RE8SF68", "signed_by"), ("bundle", "com.tencent.xinWeChat", "bundle")]
    assert vendors_of(index, name="WeChat", identifiers=both) == {("tencent", "wechat")}


def test_vendor_strings_match_names_and_leading_brands(index):
    assert vendors_of(index, vendor_fields=[("publisher", "腾讯科技(深圳)有限公司")]) == {("tencent", None)}
    assert vendors_of(index, vendor_fields=[("publisher", "Kaspersky")]) == {("kaspersky", None)}
    assert vendors_of(index, vendor_fields=[("publisher", "Kaspersky Lab Japan")]) == {("kaspersky", None)}
    # Brand words must lead: a product "compatible with Kaspersky" is not Kaspersky.
    assert vendors_of(index, vendor_fields=[("publisher", "Compatible with Kaspersky Ltd")]) == set()


def test_registry_package_names_are_not_identity(index):
    # Anyone can publish an npm package called "wechat"; a registry name is not the app.
    assert vendors_of(index, name="WeChat", identifiers=[("purl", "pkg:npm/wechat@1.0.0", "purl")]) == set()
    assert vendors_of(index, name="WeChat") == {("tencent", "wechat")}


def test_identity_evidence_beats_a_name(index):
    assert vendors_of(index, name="Kaspersky", vendor_fields=[("supplier.name", "Pango Group")]) == {("pango", None)}


def test_evidence_is_grouped_per_vendor_in_the_order_found(index):
    # One hit: one Match. Two hits of one vendor: one Match with both, in order. Two vendors: two Matches
    # (the WeChat app id and the Tencent namespace are both Tencent evidence).
    one = index.match_unmemoised(Component(name="", vendor_fields=[("supplier.name", "AO Kaspersky Lab")]))
    assert [(m.vendor.id, [e.field for e in m.evidence]) for m in one] == [("kaspersky", ["supplier.name"])]
    same = Component(
        name="",
        vendor_fields=[("supplier.name", "AO Kaspersky Lab")],
        identifiers=[("cpe", "cpe:2.3:a:kaspersky:total_security:21.3:*:*:*:*:*:*:*", "cpe")],
    )
    assert [(m.vendor.id, [e.field for e in m.evidence]) for m in index.match_unmemoised(same)] == [
        ("kaspersky", ["cpe", "supplier.name"])
    ]
    two = Component(
        name="",
        vendor_fields=[("supplier.name", "AO Kaspersky Lab")],
        identifiers=[("namespace", "com.tencent.mm", "group")],
    )
    assert [(m.vendor.id, len(m.evidence)) for m in index.match_unmemoised(two)] == [("tencent", 2), ("kaspersky", 1)]


# -- traps from the design notes: none may produce a fail or warn finding -------------------------

TRAPS = {
    "UltraAV by Pango": {"name": "UltraAV", "supplier": {"name": "Pango Group"}},
    "Kaspresso": {
        "name": "kaspresso",
        "group": "com.kaspersky.android-components",
        "purl": "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3",
    },
    "wechatpy": {"name": "wechatpy", "purl": "pkg:pypi/wechatpy@1.8.18", "description": "WeChat SDK"},
    "WeChat Open SDK": {"name": "wechat-sdk-android", "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0"},
    "Tencent Cloud SDK": {"name": "tencentcloud-sdk-python", "purl": "pkg:pypi/tencentcloud-sdk-python@3.0.1"},
    "QQ": {"name": "QQ", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
    "tiktoken": {"name": "tiktoken", "purl": "pkg:pypi/tiktoken@0.7.0"},
    "deepspeed": {"name": "deepspeed", "purl": "pkg:pypi/deepspeed@0.15.1"},
    "Douyin": {"name": "Douyin", "group": "com.ss.android.ugc.aweme"},
    "description mentions Kaspersky": {"name": "av-compat", "description": "Compatible with Kaspersky and TikTok"},
    "kasperskyish": {"name": "kasperskyish-utils", "purl": "pkg:npm/kasperskyish-utils@0.1.0"},
    "sonic": {"name": "sonic", "purl": "pkg:golang/github.com/bytedance/sonic@v1.12.3"},
}


@pytest.mark.parametrize("trap", sorted(TRAPS))
@pytest.mark.parametrize("contexts", [[], ["government", "mobile"], ["procurement"]])
def test_traps_stay_clean(write_bom, trap, contexts):
    path = write_bom([TRAPS[trap]])
    report = scan([str(path)], ScanOptions(jurisdictions=["US", "CA"], contexts=contexts, as_of=date(2026, 11, 22)))
    loud = [(f.rule_id, f.severity) for f in report.findings if f.severity != "info"]
    assert loud == [], (trap, loud)
    assert report.exit_code == 0


def test_kaspresso_is_a_developer_tool_no_kaspersky_rule_covers(write_bom):
    """NDAA section 1634 reaches Kaspersky products of every kind except published libraries and developer
    tools; the pack leaves those to organisation rules (see the rule's notes)."""
    path = write_bom([TRAPS["Kaspresso"]])
    report = scan([str(path)], ScanOptions(jurisdictions=["US"], contexts=["federal"], as_of=date(2026, 11, 22)))
    assert [(f.rule_id, f.status) for f in report.findings if f.severity != "info"] == []


def test_evidence_names_field_value_and_catalog_entry(write_bom):
    path = write_bom([{"name": "Kaspersky Total Security", "publisher": "AO Kaspersky Lab",
                       "cpe": "cpe:2.3:a:kaspersky:total_security:21:*:*:*:*:*:*:*"}])
    report = scan([str(path)], ScanOptions(jurisdictions=["US"], as_of=date(2026, 11, 22)))
    f = next(f for f in report.findings if f.rule_id == "US-ICTS-KASPERSKY-2024")
    ev = {(e.field, e.value, e.matched) for e in f.evidence}
    assert ("publisher", "AO Kaspersky Lab", "AO Kaspersky Lab") in ev
    assert any(field == "cpe" and "total_security" in matched for field, _, matched in ev)
    assert f.product == "kaspersky-total-security"


def test_white_label_integration_is_found_through_its_components(write_bom):
    path = write_bom(
        [{"name": "Orange Security Suite", "supplier": {"name": "Orange"},
          "components": [{"name": "engine", "supplier": {"name": "Kaspersky Lab ZAO"}}]}]
    )
    report = scan([str(path)], ScanOptions(jurisdictions=["US"], as_of=date(2026, 11, 22)))
    assert [f.component.name for f in report.findings if f.severity == "fail"] == ["engine"]


def test_os_package_purls_match_across_distributions(index):
    for purl in ("pkg:deb/kesl@12.1?arch=amd64", "pkg:deb/debian/kesl@12.1", "pkg:rpm/redhat/kesl@12.1-1297"):
        assert vendors_of(index, name="kesl", identifiers=[("purl", purl, "purl")]) == {
            ("kaspersky", "kaspersky-endpoint-security")
        }, purl
    assert vendors_of(index, name="kesl", purl="pkg:deb/kesl@1") == {("kaspersky", "kaspersky-endpoint-security")}
    assert vendors_of(index, name="kesl2", identifiers=[("purl", "pkg:deb/debian/kesl2@1", "purl")]) == set()


# -- the purl fast path gives what the full parse gives ---------------------------------------------


def _full_purl_hits(index: VendorIndex, value: str) -> list:
    """The purl lookup without the fast path: purl_key, the catalog prefix walk, the maven namespace."""
    from compliance.identifiers import path_prefixes_in
    from compliance.matching import OS_PACKAGE_TYPES
    from compliance.normalize import identifier_text

    key = purl_key(identifier_text(value)[0].strip())  # identifiers that are not ASCII are folded first
    if key is None:
        return []
    parts = key.split("/")
    app = {"android": "android", "ios": "bundle"}.get(parts[0]) if len(parts) == 2 else None
    if parts[0] == "apple" and len(parts) == 3 and parts[1] == "ios":
        app = "bundle"
    if app is not None:  # an app purl is its app id (tested against the exact and namespace tables below)
        return list(index.lookup_identifier(app, parts[-1]))
    if parts[0] in OS_PACKAGE_TYPES and len(parts) >= 3:
        key = f"{parts[0]}/{parts[-1]}"
    hits = []
    for prefix in path_prefixes_in(key, "/", index.purl_known):
        if prefix in index.purl:
            hits.append(index.purl[prefix])
            break
    if parts[0] in ("maven", "gradle") and len(parts) >= 3:
        hit = index._namespace(parts[1])
        if hit is not None:
            hits.append(hit)
    return hits


TRICKY_PURLS = [
    "pkg:deb/debian/kesl@12.1.0-1297?arch=amd64&distro=debian-12",
    "pkg:rpm/redhat/KESL@12.1.0-1297.x86_64",
    "pkg:deb/ubuntu/kesl-gui@1#sub/x",
    "pkg:deb/debian/kesl%2Dgui@1",
    "pkg:deb//debian/kesl@1",
    "pkg:deb/debian/@1",
    "pkg:deb/kesl/",
    "pkg:apk/alpine/kesl@1@2",
    "pkg:deb/debian/openssl@3.0.11-1?arch=amd64",
    "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.0",
    "pkg:maven/com.tencent/mmkv@1.3.0",
    "pkg:Maven/COM.Tencent/mmkv",
    "pkg:maven/org.example/lib@1.0",
    "pkg:golang/github.com/bytedance/sonic@v1.11.0",
    "pkg:golang/github.com/bytedance@v1",
    "pkg:golang/github.com@v1",
    "pkg:golang/github.com/",
    "pkg:pypi/deepspeed@0.14.0",
    "pkg:pypi/deepspeed@a@0.14.0",
    "pkg:pypi/tencentcloud-sdk-python?vcs_url=https://x/y#sub/path",
    "pkg:pypi/other@1.0?repository_url=https://example.com/simple/",
    "pkg:npm/%40scope/pkg@1.0",
    "pkg:npm/@scope/pkg@1.0",
    "pkg:huggingface/deepseek-ai/DeepSeek-R1",
    "pkg:huggingface/DeepSeek-AI",
    "pkg://pypi/deepspeed",
    "pkg:pypi//deepspeed",
    "pkg:deb/debian/kesl@11",
    "pkg:rpm/kesl",
    "pkg:maven/com.tencent%2Ebugly/crashreport",
    "pkg:maven/com.tencent.bugly/crashreport#sub",
    "  pkg:pypi/deepspeed  ",
    "pkg:golang/github.com/tencentcloud/tencentcloud-sdk-go@v1",
    # app purls: the app id, as blint writes them for APKs and IPAs, and goatrodeo's pkg:apple/ios
    "pkg:android/com.tencent.mm@8.0.49",
    "pkg:android/com.zhiliaoapp.musically",
    "pkg:ANDROID/com.tencent.mm",
    "pkg:android/bugsnag-ndk@65d4636b139523371046f97e80854bb9b4c1f0b1?arch=arm64-v8a",
    "pkg:android/com.tencent.mm.opensdk@6.8",
    "pkg:android/com.example.app@1.2026.160",
    "pkg:android/",
    "pkg:ios/com.zhiliaoapp.musically@36.5.0",
    "pkg:ios/com.tencent.xin@8.0.50?path=WeChat.app/WeChat",
    "pkg:ios/io.realm.Realm@4.1.1",
    "pkg:apple/ios/com.tencent.xin@8.0",
    "pkg:apple/macos/com.tencent.xinWeChat@4.0",
    "pkg:apple/com.tencent.xin",
    # not ASCII: folded before the fast path and in lookup_identifier alike
    "pkg:android/com.ten\u200bcent.mm",
    "pkg:maven/com.ten\u200bcent/mmkv@1.3.0",
    "pkg:golang/github.com/byte\u0064\u0430nce/sonic@v1",
    "pkg:npm/\u0434eepseek@1.0",
]


@pytest.mark.parametrize("purl", TRICKY_PURLS)
def test_purl_fast_path_equals_the_full_parse(index, purl):
    assert list(index.lookup_identifier("purl", purl)) == _full_purl_hits(index, purl)


def test_purl_fast_path_equals_the_full_parse_on_generated_purls(index):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    heads = sorted({k for k in index.purl_known if "/" in k})
    part = st.text(alphabet="abcAB.-_@?#%/2E", min_size=0, max_size=6)

    @settings(max_examples=600, derandomize=True, deadline=None)
    @given(st.sampled_from(heads), part, part, st.sampled_from(["", "@1.0", "?a=b/c", "#x/y"]))
    def check(head: str, a: str, b: str, tail: str) -> None:
        for purl in (f"pkg:{head}{a}{tail}", f"pkg:{head}/{a}/{b}{tail}", f"pkg:{head.split('/')[0]}/{a}{b}{tail}"):
            assert list(index.lookup_identifier("purl", purl)) == _full_purl_hits(index, purl), purl

    check()


# -- the engine's per-component shortcuts give what lookup_identifier gives ------------------------

TRICKY_CPES = [
    "cpe:2.3:a:kaspersky:total_security:21.3:*:*:*:*:*:*:*",
    "cpe:2.3:a:kaspersky:some_other_product:1.0:*:*:*:*:*:*:*",
    "cpe:2.3:a:Kaspersky:Total_Security:21.3:*:*:*:*:*:*:*",
    "CPE:2.3:A:KASPERSKY:TOTAL_SECURITY:21.3:*:*:*:*:*:*:*",
    "cpe:2.3:a:kasper\\:sky:total_security:1:*:*:*:*:*:*:*",
    "cpe:2.3:a:kaspers\\ky:total_security:1:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:windows:10:*:*:*:*:*:*:*",
    "cpe:2.3:a:bytedance:x",
    "cpe:2.3:a:kaspersky",
    "cpe:2.3:a:kaspersky:",
    "cpe:2.3:a:kaspersky: ",
    "cpe:2.3:a:google:chrome:1:*:*:*:*:*:*:*",
    "cpe:2.3:a:*:total_security:1:*:*:*:*:*:*:*",
    "cpe:/a:kaspersky:total_security:21.3",
    "cpe:/a:kaspersky%3Alab:x",
    "  cpe:2.3:a:kaspersky:total_security:21.3:*:*:*:*:*:*:*  ",
    "cpe:2.3:a:kaspersky:total_security:21.3:*:*:*:*:*:*:*\t",
    "cpe:2.3:",
    "",
    "cpe:2.3:a:kasper\u200bsky:total_security:21.3:*:*:*:*:*:*:*",
    "cpe:2.3:a:k\u0430spersky:total_security:21.3:*:*:*:*:*:*:*",
]


def _hit_vendors(index: VendorIndex, kind: str, value: str) -> list[str]:
    """The vendors ``_match`` must report for a component with this one identifier: lookup_identifier's
    hits, one per vendor, in order."""
    return list(dict.fromkeys(h.vendor for h in index.lookup_identifier(kind, value)))


TRICKY_NAMESPACES = [
    "com.tencent",
    "com.tencent.mm",
    "COM.Tencent.MM",
    "  com.tencent.mm  ",
    "com.tencentx",
    "com",
    "com.",
    ".com.tencent",
    "org.example",
    "com.tencent mm",
    "com.tencent.mm.opensdk",
    "",
    "com.ten\u200bcent.mm",
    "\u0441om.tencent.mm",
    "com.tencent.\u043c\u043c",
]


@pytest.mark.parametrize(
    ("kind", "value"),
    [("purl", p) for p in TRICKY_PURLS]
    + [("cpe", c) for c in TRICKY_CPES]
    + [("namespace", n) for n in TRICKY_NAMESPACES],
)
def test_match_shortcuts_agree_with_lookup_identifier(index, kind, value):
    # No name and no vendor fields: only the identifier can match.
    comp = Component(name="", identifiers=[(kind, value, kind)])
    assert [m.vendor.id for m in index.match_unmemoised(comp)] == _hit_vendors(index, kind, value)


def test_match_shortcuts_agree_with_lookup_identifier_on_app_ids(index):
    # A group equal to a catalog app id is that app: the shortcut must not skip it, in any case, also
    # when no catalog namespace covers the app id (the built-in catalog's namespaces cover all of them).
    import copy

    bare = copy.copy(index)
    bare.ns_known = frozenset()
    assert index.app_ids
    for idx in (index, bare):
        for app_id in sorted(index.app_ids):
            for value in (app_id, app_id.upper(), f" {app_id} "):
                comp = Component(name="", identifiers=[("namespace", value, "group")])
                assert [m.vendor.id for m in idx.match_unmemoised(comp)] == _hit_vendors(idx, "namespace", value)
                assert _hit_vendors(idx, "namespace", value), value


def test_namespace_lookup_finds_the_longest_catalog_namespace(index):
    # _namespace decides the usual misses from the first one or two labels; the answer must stay the
    # longest catalog namespace the value starts with (at a "." boundary), in any case of letters.
    import copy

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from compliance.matching import _cuts

    idx = copy.copy(index)
    catalog = ["org", "org.dummy1", "com.tencent", "com.tencent.mm.opensdk", "net.example.deep.x"]
    idx.namespace = {ns: f"hit:{ns}" for ns in catalog}
    idx.ns_known = frozenset(k[:i] for k in catalog for i in _cuts(k, "."))

    def longest(value: str):
        low = value.lower()
        labels = low.split(".")
        for n in range(len(labels), 0, -1):
            if ".".join(labels[:n]) in idx.namespace:
                return idx.namespace[".".join(labels[:n])]
        return None

    labels = st.sampled_from(["org", "com", "net", "tencent", "mm", "opensdk", "dummy1", "example", "deep", "x", "", "Org"])

    @settings(max_examples=500, derandomize=True, deadline=None)
    @given(st.lists(labels, min_size=1, max_size=5))
    def check(parts: list[str]) -> None:
        value = ".".join(parts)
        assert idx._namespace(value) == longest(value), value

    check()


def test_purl_type_table_agrees_with_cutting_the_type(index):
    # purl_types answers for the usual spellings what _purl_type works out; an index without the table
    # must give the same matches, the registry flag included (it decides whether a name or a strong
    # supplier counts: "WeChat" and "AO Kaspersky Lab" show it).
    import copy

    from hypothesis import given, settings
    from hypothesis import strategies as st

    general = copy.copy(index)
    general.purl_types = {}
    heads = sorted({k for k in index.purl_known if "/" in k} | set(index.purl_types))
    part = st.text(alphabet="abcAB.-_@?#%/2E :", min_size=0, max_size=6)

    def summary(idx: VendorIndex, comp: Component) -> list:
        return [(m.vendor.id, m.product.id if m.product else None, m.kind, m.strength) for m in idx.match_unmemoised(comp)]

    @settings(max_examples=400, derandomize=True, deadline=None)
    @given(st.sampled_from(heads), part)
    def check(head: str, a: str) -> None:
        head = head.removeprefix("pkg:")
        for value in (f"pkg:{head}/{a}", f"pkg:{head}{a}", f"pkg:{head.upper()}/{a}", f"pkg:{head}"):
            comp = Component(
                name="WeChat", vendor_fields=[("supplier.name", "AO Kaspersky Lab")], identifiers=[("purl", value, "purl")]
            )
            assert summary(index, comp) == summary(general, comp), value

    check()


def test_match_shortcuts_agree_with_lookup_identifier_on_generated_values(index):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    purl_heads = sorted({k for k in index.purl_known if "/" in k})
    cpe_vendors = sorted(index.cpe_vendors) + ["other"]
    namespaces = sorted(index.ns_known | index.app_ids) + ["org.example"]
    part = st.text(alphabet="abcAB.-_@?#%/2E :\\*", min_size=0, max_size=6)

    @settings(max_examples=600, derandomize=True, deadline=None)
    @given(st.sampled_from(purl_heads), st.sampled_from(cpe_vendors), st.sampled_from(namespaces), part, part)
    def check(head: str, vendor: str, namespace: str, a: str, b: str) -> None:
        values = [
            ("purl", f"pkg:{head}{a}"),
            ("purl", f"pkg:{head}/{a}/{b}"),
            ("purl", f"pkg:{head.split('/')[0]}/{a}{b}"),
            ("purl", f"pkg:{head.upper()}{a}"),  # a type spelled in capitals: not a usual spelling
            ("purl", f"pkg:{head.split('/')[0]}{a}"),  # no "/" after the type, or one later
            ("purl", f"pkg:other{a}/{head}{b}"),
            ("cpe", f"cpe:2.3:a:{vendor}{a}:{b}:1:*"),
            ("cpe", f"cpe:2.3:a:{vendor}:{a}{b}"),
            ("cpe", f"cpe:2.3:{a}:{vendor}:{b}"),
            ("namespace", f"{a}{namespace}{b}"),
            ("namespace", f"{namespace.upper()}{a}"),
        ]
        for kind, value in values:
            comp = Component(name="", identifiers=[(kind, value, kind)])
            assert [m.vendor.id for m in index.match_unmemoised(comp)] == _hit_vendors(index, kind, value), value

    check()


# -- identities that cannot be dodged (issue 18 section 1) --------------------------------------------


def _evidence(index: VendorIndex, **kw) -> list[tuple[str, str | None, str, str, tuple[str, ...]]]:
    comp = Component(name=kw.pop("name", ""), **kw)
    return [
        (m.vendor.id, m.product.id if m.product else None, e.method, e.strength, e.folded)
        for m in index.match_unmemoised(comp)
        for e in m.evidence
    ]


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("AO Kasper\u200bsky Lab", ("contains invisible characters",)),
        ("AO Kasper\u00adsky Lab", ("contains invisible characters",)),
        ("AO K\u0430spersky Lab", ("mixed-script",)),
        ("AO K\u0430sper\u200bsky Lab", ("contains invisible characters", "mixed-script")),
        ("Kaspersky Lab JSC", ("legal form JSC read as AO",)),
        ("JSC Kaspersky Lab", ("legal form JSC read as AO",)),
        ("Kaspersky Lab CJSC", ("legal form CJSC read as ZAO",)),
        ("AO Kaspersky Lab", ()),
    ],
)
def test_dodged_vendor_names_are_strong_legal_names_with_the_fold_recorded(index, value, folded):
    assert _evidence(index, vendor_fields=[("publisher", value)]) == [("kaspersky", None, "legal-name", "strong", folded)]


@pytest.mark.parametrize(
    ("name", "product", "folded"),
    [
        ("Tik\u200bTok", "tiktok", ("contains invisible characters",)),
        ("We\u200bChat", "wechat", ("contains invisible characters",)),
        ("Tik\u0422ok", "tiktok", ("mixed-script",)),
        ("TikTok", "tiktok", ()),
    ],
)
def test_dodged_product_names_match_their_product(index, name, product, folded):
    found = _evidence(index, name=name)
    assert [(p, f) for _, p, _, _, f in found] == [(product, folded)]


def test_obfuscated_evidence_is_never_weaker_than_the_plain_value(index):
    plain = _evidence(index, vendor_fields=[("supplier.name", "AO Kaspersky Lab")], identifiers=[("android", "com.tencent.mm", "id")])
    dodged = _evidence(
        index, vendor_fields=[("supplier.name", "AO K\u0430sper\u200bsky Lab")], identifiers=[("android", "com.ten\u200bcent.mm", "id")]
    )
    assert [(v, p, m, s) for v, p, m, s, _ in dodged] == [(v, p, m, s) for v, p, m, s, _ in plain]
    assert all(f for *_, f in dodged)


@pytest.mark.parametrize(
    ("purl", "product"),
    [
        ("pkg:android/com.tencent.mm@8.0.49", "wechat"),
        ("pkg:android/com.zhiliaoapp.musically", "tiktok"),
        ("pkg:ios/com.zhiliaoapp.musically@36.5.0", "tiktok"),
        ("pkg:apple/ios/com.tencent.xin@8.0.50", "wechat"),
    ],
)
def test_app_purls_are_looked_up_as_app_ids(index, purl, product):
    for comp in (Component(name="", purl=purl), Component(name="", identifiers=[("purl", purl, "purl")])):
        assert {(m.product.id if m.product else None, m.strength) for m in index.match_unmemoised(comp)} == {(product, "strong")}


def test_lookalikes_of_catalog_names_stay_unmatched(index):
    for value in ("Kasperskyi Ltd", "Kaspa", "HikariCP", "Bytedeco", "djinni", "DeepL SE", "Doctor Web, Ltd.", "Aztec Labs"):
        assert index.match_unmemoised(Component(name=value, vendor_fields=[("supplier.name", value)])) == [], value


def test_app_purls_count_as_vendor_identity():
    assert Component(name="", identifiers=[("purl", "pkg:android/com.tencent.mm@8.0.49", "purl")]).has_vendor_identity
    assert Component(name="", identifiers=[("purl", "pkg:ios/com.zhiliaoapp.musically", "purl")]).has_vendor_identity
    assert not Component(name="", identifiers=[("purl", "pkg:pypi/requests@2.0", "purl")]).has_vendor_identity


@pytest.mark.parametrize(("text", "strength"), [("Касперский", "broad"), ("卡巴斯基", "broad"), ("卡巴斯基实验室", "weak")])
def test_kaspersky_brand_in_russian_and_chinese(index, text, strength):
    hit = index.lookup_org(text)
    assert hit is not None and hit.vendor == "kaspersky" and hit.strength == strength
