"""Attacks on what a scan trusts about its rule packs, each tried as an attacker would and refused.

An add-on pack (``--rules DIR``, ``rules:`` in a policy file that may come from a pull request, or an
installed ``pack:NAME``) may add vendors and rules; it must never take identity away from the packs
loaded before it, since that would turn their FAILs into PASSes while every name in it looked harmless.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

ADDON_MANIFEST = 'name: acme-extras\nversion: "2026.1"\ndescription: extra vendors\n'


def addon_pack(tmp_path: Path, identifiers: str, product_identifiers: str = "") -> Path:
    """An add-on pack with one innocuous-looking vendor carrying the given identifier YAML."""
    root = tmp_path / "addon"
    (root / "vendors").mkdir(parents=True)
    (root / "pack.yaml").write_text(ADDON_MANIFEST, "utf-8")
    product = (
        "    products:\n      - id: acme-engine\n        name: Acme Scan Engine\n        category: security\n"
        "        kind: library\n        identifiers:\n" + product_identifiers
        if product_identifiers
        else ""
    )
    (root / "vendors" / "acme.yaml").write_text(
        "vendors:\n  - id: acme-av\n    name: Acme Antivirus Partners\n    country: US\n"
        "    names:\n      - {name: Acme Antivirus Partners LLC, kind: legal, status: secondary}\n"
        + ("    identifiers:\n" + identifiers if identifiers else "")
        + product
        + "    sources: [https://example.org/acme]\n",
        "utf-8",
    )
    return root


def bom(tmp_path: Path, component: dict) -> Path:
    path = tmp_path / "sbom.cdx.json"
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [component]}
    path.write_text(json.dumps(doc), "utf-8")
    return path


KASPERSKY_CPE = {"type": "library", "bom-ref": "av", "name": "engine", "version": "8.9",
                 "cpe": "cpe:2.3:a:kaspersky:anti-virus:8.9.3:*:*:*:*:*:*:*"}
KASPERSKY_AUTHOR = {"type": "library", "bom-ref": "lib", "name": "helper", "version": "1",
                    "author": "Jane Doe <jane@support.kaspersky.com>"}
KASPERSKY_APP = {"type": "application", "bom-ref": "kes", "name": "mobile security", "version": "11",
                 "purl": "pkg:android/com.kaspersky.kes.corp@11.0"}


@pytest.mark.parametrize(
    ("component", "identifiers", "product_identifiers", "field"),
    [
        (KASPERSKY_CPE, "", "          cpe:\n            - {value: 'kaspersky:anti-virus', status: secondary}\n",
         "products.acme-engine.identifiers.cpe"),
        (KASPERSKY_APP, "      namespace:\n        - {value: com.kaspersky.kes.corp, status: secondary}\n", "",
         "identifiers.namespace"),
        (KASPERSKY_APP, "", "          android:\n            - {value: com.kaspersky.kes.corp, status: secondary}\n",
         "products.acme-engine.identifiers.android"),
        (KASPERSKY_CPE, "      cpe_vendor:\n        - {value: acme, status: secondary}\n"
         "      namespace:\n        - {value: com, status: secondary}\n", "", "identifiers.namespace"),
        # The matcher takes an address's longest catalog domain: support.kaspersky.com would win over kaspersky.com.
        (KASPERSKY_AUTHOR, "      email_domain:\n        - {value: support.kaspersky.com, status: secondary}\n", "",
         "identifiers.email_domain"),
    ],
    ids=["product-cpe-under-cpe-vendor", "namespace-under-namespace", "app-id-under-namespace", "namespace-over-namespace",
         "email-subdomain-under-email-domain"],
)
def test_an_add_on_pack_cannot_claim_a_built_in_vendors_identifiers(
    tmp_path: Path, component: dict, identifiers: str, product_identifiers: str, field: str
) -> None:
    sbom = bom(tmp_path, component)
    before = run_cli("scan", str(sbom), "-j", "US", "--as-of", "2026-12-07", "-q")
    assert before.returncode == 1, before.stdout + before.stderr  # Kaspersky, by identifier alone
    pack = addon_pack(tmp_path, identifiers, product_identifiers)
    proc = run_cli("scan", str(sbom), "-j", "US", "--as-of", "2026-12-07", "-q", "--rules", str(pack))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "acme.yaml" in ln]
    assert lines and all(f"vendor acme-av: {field}" in ln or "vendor acme-av:" in ln for ln in lines), proc.stderr
    assert any(field in ln and "kaspersky" in ln for ln in lines), proc.stderr
    assert "rules/vendors/kaspersky.yaml" not in proc.stderr  # the add-on is named, not the pack it trespasses on
    validate = run_cli("rules", "validate", str(pack), "--with-builtin")
    assert validate.returncode == 2 and field in validate.stdout + validate.stderr


def test_the_built_in_catalog_and_the_example_org_pack_have_no_overlapping_identities() -> None:
    assert run_cli("rules", "validate").returncode == 0
    assert run_cli("rules", "validate", "examples/org-policy", "--with-builtin").returncode == 0


def test_an_add_on_with_identities_of_its_own_still_loads(tmp_path: Path) -> None:
    pack = addon_pack(tmp_path, "      namespace:\n        - {value: com.acmeav, status: secondary}\n")
    proc = run_cli("rules", "validate", str(pack), "--with-builtin")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_an_add_on_product_named_after_a_built_in_brand_is_refused(tmp_path: Path) -> None:
    # Without the check, a component named exactly so would match the add-on's product (exact name)
    # instead of Kaspersky's brand, and Kaspersky's rules would never see it.
    pack = addon_pack(tmp_path, "", "          cpe:\n            - {value: 'acme:scan-engine', status: secondary}\n")
    vendors = pack / "vendors" / "acme.yaml"
    vendors.write_text(vendors.read_text("utf-8").replace("Acme Scan Engine", "Kaspersky Endpoint Security Cloud Plus"), "utf-8")
    sbom = bom(tmp_path, {"type": "application", "bom-ref": "x", "name": "Kaspersky Endpoint Security Cloud Plus",
                          "version": "1"})
    proc = run_cli("scan", str(sbom), "-j", "US", "--as-of", "2026-12-07", "-q", "--rules", str(pack))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "acme.yaml: vendor acme-av: products.acme-engine.names" in proc.stderr and "kaspersky's brand" in proc.stderr
