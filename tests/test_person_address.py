"""Vendor fields written "Name <address>" (issue 20): the name is looked up without the address, and the
address's domain is evidence of its own where the catalog lists it as the vendor's ``email_domain``."""

from __future__ import annotations

import pytest

from compliance.matching import VendorIndex
from compliance.model import Component
from compliance.normalize import FOLD_MIXED, person_address
from compliance.rulepack.model import Ident, Vendor
from compliance.rulepack.validate import catalog_problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe <jane.doe@example.com>", ("Jane Doe", "example.com")),
        ("AO Kaspersky Lab <support@kaspersky.com>", ("AO Kaspersky Lab", "kaspersky.com")),
        ("  Barney Rubble <b@Rubble.COM> (http://barnyrubble.tumblr.com/) ", ("Barney Rubble", "rubble.com")),
        ("<support@kaspersky.com>", ("", "kaspersky.com")),
        ("Dev <12345+dev@users.noreply.github.com>", ("Dev", "users.noreply.github.com")),
        ("Jane <jane@example.com.>", ("Jane", "example.com")),
        ("AO Kaspersky Lab", None),
        ("Jane <not an address>", None),
        ("Jane <jane@example.com> and Joe <joe@example.com>", None),
        ("Jane <jane@example.com> trailing words", None),
        ("jane@example.com", None),
    ],
)
def test_person_address_splits_only_a_name_with_one_address(value, expected):
    assert person_address(value) == expected


def matches(index: VendorIndex, value: str, purl: str = "", ctype: str = "application") -> list[tuple]:
    comp = Component(name="agent", vendor_fields=[("author", value)], purl=purl, type=ctype)
    return [(m.vendor.id, [(e.method, e.strength) for e in m.evidence]) for m in index.match_unmemoised(comp)]


def test_the_name_is_looked_up_without_its_address(index):
    """The address once made the legal name a weak brand prefix ("only starts with the brand")."""
    assert matches(index, "AO Kaspersky Lab") == [("kaspersky", [("legal-name", "strong")])]
    assert matches(index, "AO Kaspersky Lab <support@kaspersky.com>") == [
        ("kaspersky", [("legal-name", "strong"), ("email-domain", "broad")])
    ]


def test_an_address_at_the_vendors_domain_is_broad_evidence_of_its_own(index):
    assert matches(index, "Jane Doe <jane.doe@kaspersky.com>") == [("kaspersky", [("email-domain", "broad")])]
    assert matches(index, "Ops <ops@mail.eu.kaspersky.com>") == [("kaspersky", [("email-domain", "broad")])]
    assert matches(index, "Dev <dev@tencent.com>") == [("tencent", [("email-domain", "broad")])]
    # Registry metadata is self-declared: still broad, the package still a library.
    [m] = index.match_unmemoised(Component(name="x", vendor_fields=[("author", "J <j@kaspersky.com>")],
                                           purl="pkg:npm/x@1", type="library"))
    assert m.strength == "broad" and m.kind == "library"


@pytest.mark.parametrize(
    "value",
    [
        "Jane <jane@notkaspersky.com>",  # not a label boundary
        "Jane <jane@kaspersky.com.example.org>",  # the domain is example.org's
        "Jane <jane@qq.com>",  # a public mail service is no vendor's domain
        "Jane <jane@163.com>",
        "Jane Doe <jane.doe@gmail.com>",
    ],
)
def test_other_domains_name_no_vendor(index, value):
    assert matches(index, value) == []


def test_a_confusable_domain_is_read_as_ascii_and_the_fold_recorded(index):
    [m] = index.match_unmemoised(Component(name="agent", vendor_fields=[("author", "J <j@k\u0430spersky.com>")]))
    assert [(e.method, e.folded) for e in m.evidence] == [("email-domain", (FOLD_MIXED,))]  # Latin and Cyrillic in one label


def test_unique_addresses_share_one_cached_name(index):
    before = len(index._org_cache)
    for i in range(500):
        index.lookup_org(f"Jane Doe <jane.doe{i}@example.org>")
    assert len(index._org_cache) <= before + 1


def test_the_catalog_takes_bare_domains_only():
    def vendor(value: str) -> Vendor:
        v = Vendor(id="x", name="X", identifiers={"email_domain": [Ident(value)]})
        v.file = "vendors/x.yaml"
        return v

    assert catalog_problems([vendor("kaspersky.com")]) == []
    for bad in ("https://kaspersky.com", "support@kaspersky.com", "Kaspersky.com", "kaspersky"):
        assert catalog_problems([vendor(bad)]), bad
