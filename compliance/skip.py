"""Which files in a fleet folder are clearly not inventories, so a README does not end a scan in ERROR.

Only files found by walking a directory are ever skipped; a file named on the command line is always
read (and an unreadable one is always an error). A file is skipped only when no reader recognises it
AND its name or content says it is something else: documentation, an image, an archive, a script, a
signature, or binary data. Everything else that no reader recognises (a truncated JSON export, a CSV
without a product column) still looks like an inventory and stays an error with exit code 2.

Hidden files (a name starting with ``.``) are read when a reader recognises them: Bitnami images ship
their SBOMs as ``/opt/bitnami/<app>/.spdx-<app>.spdx``. Any other hidden file (``.gitignore``,
``.DS_Store``) is skipped, and a hidden directory (``.git``) is not walked; each is listed in the
report's skipped list, never dropped silently.
"""

from __future__ import annotations

import os

from compliance.errors import InputError
from compliance.readers import detect
from compliance.readers.base import Source

# extension -> what the file is, for the note
_KINDS = {
    **dict.fromkeys((".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".org"), "documentation"),
    **dict.fromkeys((".pdf", ".doc", ".docx", ".odt", ".rtf"), "a document"),
    **dict.fromkeys((".htm", ".html"), "a web page"),
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp"), "an image"),
    **dict.fromkeys((".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".rar", ".zst"), "an archive"),
    **dict.fromkeys((".sh", ".ps1", ".bat", ".cmd", ".py", ".rb", ".js"), "a script"),
    **dict.fromkeys((".sig", ".asc", ".pem", ".crt", ".sha256", ".sha512", ".md5"), "a signature or checksum"),
    **dict.fromkeys((".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf"), "a configuration file"),
}
_DOC_NAMES = {"readme", "license", "licence", "copying", "notice", "changelog", "authors", "contributing"}
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _kind_by_name(path: str) -> str | None:
    base = os.path.basename(path).lower()
    stem, ext = os.path.splitext(base)
    if ext in _KINDS:
        return f"{_KINDS[ext]} ({ext})"
    if stem in _DOC_NAMES or base in _DOC_NAMES:
        return "documentation"
    return None


def _kind_by_content(data: bytes) -> str | None:
    head = data[:8192]
    if b"\x00" in head and not head.startswith(_TEXT_BOMS):
        return "binary data"
    return None


def is_hidden(path: str) -> bool:
    """A file or directory whose name starts with a dot."""
    return os.path.basename(path.rstrip("/" + os.sep)).startswith(".")


HIDDEN_DIRECTORY = "a hidden directory, not scanned (name it on the command line to scan it)"


def not_inventory(source: Source, *, hidden: bool = False) -> str | None:
    """Why ``source`` is clearly not an inventory, or None when it may be one (then it is read as usual).

    The cheap checks come first, so an ordinary inventory is never sniffed twice. A ``hidden`` file is
    read only when a reader recognises it.
    """
    kind = _kind_by_name(source.path) or _kind_by_content(source.data)
    if hidden:
        kind = f"a hidden file ({kind})" if kind else "a hidden file"
    if kind is None:
        return None
    try:
        detect(source)
    except InputError:
        return f"{kind}, not an inventory"
    return None  # a reader recognises it, whatever its name says
