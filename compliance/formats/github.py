"""GitHub Actions workflow commands: annotations on the SBOM file in the job log and PR diff.

``::error file=F,line=N,title=T::message`` per finding (``warning`` for warn, ``notice`` for
info and for waived findings; out-of-scope findings only with ``--show-out-of-scope``), then the
verdict as plain text. Values are escaped per the
runner's rules (``%``, CR, LF; in properties also ``:`` and ``,``) so a component name cannot end
the command early or inject a second one, and every other control or bidi character is shown as an
escape (``compliance.untrusted.for_terminal``), so ESC never reaches the job log.
"""

from __future__ import annotations

from typing import ClassVar

from compliance.formats.common import component_label, evidence_text, line_of, relative_path, shown_findings
from compliance.formats.text import verdict_line
from compliance.model import Report
from compliance.untrusted import for_terminal

LEVELS = {"fail": "error", "warn": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """The runner's escapes, then ``for_terminal``: the job log is a terminal, ESC must not reach it."""
    return for_terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: str) -> str:
    body = ",".join(f"{k}={escape_property(v)}" for k, v in props.items() if v)
    return f"::{level}{' ' + body if body else ''}::{escape_data(message)}"


class GithubFormat:
    name: ClassVar[str] = "github"
    label: ClassVar[str] = "GitHub Actions annotations (workflow commands)"
    extension: ClassVar[str] = ".txt"

    def render(self, report: Report) -> str:
        lines: list[str] = []
        for inp in report.inputs:
            if inp.error:
                title = "complycheck: input not checked" if inp.was_read else "complycheck: unreadable input"
                lines.append(command("error", inp.error, file=relative_path(inp.path), title=title))
        for f in shown_findings(report):
            level = "notice" if f.waived else LEVELS[f.severity]
            title = f"{f.jurisdiction}/{f.rule_id}: {component_label(f)}"
            if f.waived:
                title = "WAIVED " + title
            message = f"{f.message}\nEvidence: {evidence_text(f) or '-'}\nCitation: {f.citation}"
            if f.sources:
                message += f"\nSource: {f.sources[0]}"
            if f.waiver is not None:
                message += f"\nWaiver {f.waiver.get('id')}: {f.waiver.get('reason')} (expires {f.waiver.get('expires') or 'never'})"
            lines.append(
                command(level, message, file=relative_path(f.input_path), line=str(line_of(f) or 1), title=title)
            )
        for c in report.coverage_limits:
            lines.append(command("notice", c["message"], title=f"complycheck coverage limit: {c['jurisdiction']}/{c['rule_id']}"))
        lines.append(escape_data(verdict_line(report)))
        return "\n".join(lines) + "\n"
