"""Signed verdicts: an in-toto Statement v1 with the SLSA Verification Summary Attestation predicate.

``build_statement(report)`` says what was judged and how:

- one ``subject`` per input read (its name and sha256);
- ``predicate.verifier``: ``id`` (``--verifier-id``, default ``urn:complycheck:scan``) and
  ``version: {"complycheck": …}`` (the VSA 1.1 field; 1.0 consumers ignore it);
- ``timeVerified``: now, UTC (``SOURCE_DATE_EPOCH`` when set, for reproducible output);
- ``resourceUri``: the purl of the SBOM's ``metadata.component`` when the inputs name one product,
  else a URN made of the inputs' digests;
- ``policy``: ``uri`` naming the rule pack(s), and ``digest.sha256`` over the policy document below;
- ``verificationResult``: ``PASSED`` or ``FAILED`` (any error, and any finding at or above
  ``--fail-on``, is FAILED); ``verifiedLevels``: ``["COMPLYCHECK_POLICY_PASSED"]`` or ``["FAILED"]``;
- extension fields (URIs, as the VSA allows): ``urn:complycheck:policy`` the policy document itself
  (pack digests, policy file digest, jurisdictions, contexts, as-of date, fail-on), so a verifier can
  recompute ``policy.digest``; ``urn:complycheck:findings`` the finding counts by severity.

It is wrapped in a DSSE envelope (``payloadType: application/vnd.in-toto+json``), which cosign, in-toto
and securesystemslib verify as they verify any attestation.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from compliance.signing import SignatureError

if TYPE_CHECKING:  # pragma: no cover
    from compliance.model import Report
    from compliance.signing import PublicKey

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
VSA_TYPE = "https://slsa.dev/verification_summary/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
DEFAULT_VERIFIER = "urn:complycheck:scan"
POLICY_FIELD = "urn:complycheck:policy"
FINDINGS_FIELD = "urn:complycheck:findings"
PASSED_LEVEL = "COMPLYCHECK_POLICY_PASSED"


class AttestationError(Exception):
    """An attestation that cannot be made or does not verify: one line for the user."""


def canonical(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def policy_document(report: Report) -> dict[str, Any]:
    """Everything the verdict rests on besides the inputs: packs, policy file, jurisdictions, contexts, date."""
    policy = getattr(report, "policy", None) or {}
    return {
        "rulePacks": [
            {"name": p.get("name"), "version": p.get("version"),
             "digest": {"sha256": str(p.get("digest") or "").removeprefix("sha256:")}}
            for p in report.rulepack.get("packs") or []
        ],
        "policyFile": {"sha256": policy.get("sha256")} if policy.get("sha256") else None,
        "jurisdictions": list(report.jurisdictions),
        "contexts": list(report.contexts),
        "asOf": report.as_of,
        "failOn": report.fail_on,
    }


def _time_verified() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_statement(report: Report, verifier_id: str = DEFAULT_VERIFIER) -> dict[str, Any]:
    from compliance import __version__

    subjects = [
        {"name": inp.path, "digest": {"sha256": inp.sha256}} for inp in report.inputs if inp.sha256 is not None
    ]
    if not subjects:
        raise AttestationError("nothing to attest: no input could be read, so there is no digest to sign for")
    purls = {(inp.subject or {}).get("purl") for inp in report.inputs}
    purls.discard(None)
    if len(purls) == 1:
        resource = str(next(iter(purls)))
    else:
        joined = "\n".join(sorted(s["digest"]["sha256"] for s in subjects))
        resource = "urn:complycheck:inputs:sha256:" + hashlib.sha256(joined.encode()).hexdigest()
    policy = policy_document(report)
    passed = report.verdict == "pass"
    pack_label = " + ".join(f"{p['name']}@{p['version']}" for p in policy["rulePacks"])
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": VSA_TYPE,
        "predicate": {
            "verifier": {"id": verifier_id, "version": {"complycheck": report.tool_version or __version__}},
            "timeVerified": _time_verified(),
            "resourceUri": resource,
            "policy": {
                "uri": f"urn:complycheck:rulepack:{pack_label}",
                "digest": {"sha256": hashlib.sha256(canonical(policy)).hexdigest()},
            },
            "verificationResult": "PASSED" if passed else "FAILED",
            "verifiedLevels": [PASSED_LEVEL] if passed else ["FAILED"],
            "slsaVersion": "1.1",
            POLICY_FIELD: policy,
            FINDINGS_FIELD: {"verdict": report.verdict, **report.summary()},
        },
    }


def sign_statement(statement: dict[str, Any], key_path: str) -> dict[str, Any]:
    from compliance.signing import load_private_key, sign_envelope

    private, public = load_private_key(key_path)
    body = (json.dumps(statement, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return sign_envelope(PAYLOAD_TYPE, body, [(private, public)])


# -- verifying -----------------------------------------------------------------------------------


def verify(
    envelope_bytes: bytes, where: str, keys: list[PublicKey], inputs: list[tuple[str, str]],
    *, jurisdictions: tuple[str, ...] = (), policy_file: tuple[str, str] | None = None,
) -> tuple[dict[str, Any], PublicKey]:
    """The statement and the key that signed it, after checking the signature, the statement's shape
    and that each given input (name, sha256 hex) is one of its subjects. ``AttestationError`` otherwise.

    ``jurisdictions``: codes the verdict must have been reached for (each given as written, or ALL);
    ``policy_file``: (name, sha256) of the policy file the scan must have read. A verdict for other
    jurisdictions, or under a policy file changed by a pull request, is not the verdict asked for."""
    from compliance.signing import parse_envelope, verify_envelope

    try:
        envelope = parse_envelope(envelope_bytes, where)
        body, key = verify_envelope(envelope, keys, payload_type=PAYLOAD_TYPE, where=where)
    except SignatureError as exc:
        raise AttestationError(str(exc)) from None
    try:
        statement = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise AttestationError(f"{where}: the signed payload is not JSON") from None
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise AttestationError(f"{where}: the signed payload is not an in-toto Statement v1")
    if statement.get("predicateType") != VSA_TYPE:
        raise AttestationError(f"{where}: predicateType is not {VSA_TYPE}")
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict) or predicate.get("verificationResult") not in ("PASSED", "FAILED"):
        raise AttestationError(f"{where}: the predicate has no verificationResult PASSED or FAILED")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise AttestationError(f"{where}: the statement has no subject")
    digests = {
        str((s.get("digest") or {}).get("sha256", "")).lower()
        for s in subjects
        if isinstance(s, dict) and isinstance(s.get("digest"), dict)
    }
    for name, digest in inputs:
        if digest not in digests:
            raise AttestationError(f"{name}: its sha256 is not a subject of {where}: the attestation is not about this file")
    policy = predicate.get(POLICY_FIELD)
    policy = policy if isinstance(policy, dict) else {}
    if policy and hashlib.sha256(canonical(policy)).hexdigest() != str((predicate.get("policy") or {}).get("digest", {}).get("sha256")):
        raise AttestationError(f"{where}: the policy document does not match predicate.policy.digest")
    attested = {str(j).upper() for j in policy.get("jurisdictions") or []}
    for code in jurisdictions:
        if code.upper() not in attested and "ALL" not in attested:
            raise AttestationError(
                f"{where}: the verdict is for {', '.join(sorted(attested)) or 'no jurisdiction'}, not {code}"
            )
    if policy_file is not None:
        name, digest = policy_file
        stated = (policy.get("policyFile") or {}).get("sha256") if isinstance(policy.get("policyFile"), dict) else None
        if stated != digest:
            raise AttestationError(
                f"{name}: the verdict was reached under {'another policy file' if stated else 'no policy file'} "
                f"(sha256 {str(stated)[:16] if stated else 'none'}), not this one"
            )
    return statement, key


def summary_lines(statement: dict[str, Any], key: PublicKey) -> list[str]:
    predicate = statement["predicate"]
    policy = predicate.get(POLICY_FIELD) or {}
    findings = predicate.get(FINDINGS_FIELD) or {}
    packs = ", ".join(
        f"{p.get('name')} {p.get('version')} (sha256:{str((p.get('digest') or {}).get('sha256'))[:16]}…)"
        for p in policy.get("rulePacks") or []
        if isinstance(p, dict)
    )
    lines = [
        f"verificationResult: {predicate['verificationResult']}",
        f"signed by:          {key.keyid} ({key.origin})",
        f"verifier:           {(predicate.get('verifier') or {}).get('id')}",
        f"time verified:      {predicate.get('timeVerified')}",
        f"resource:           {predicate.get('resourceUri')}",
        f"rule packs:         {packs or 'not stated'}",
        f"jurisdictions:      {', '.join(policy.get('jurisdictions') or []) or 'not stated'}"
        f"; contexts: {', '.join(policy.get('contexts') or []) or 'none'}; as of {policy.get('asOf')}",
    ]
    if findings:
        counts = ", ".join(f"{k} {findings[k]}" for k in ("fail", "warn", "info", "waived") if k in findings)
        lines.append(f"findings:           {counts}")
    for s in statement.get("subject") or []:
        if isinstance(s, dict):
            lines.append(f"subject:            {s.get('name')} sha256:{(s.get('digest') or {}).get('sha256')}")
    return lines
