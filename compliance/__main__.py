"""``python -m compliance`` and the ``complycheck`` command (the entry point in pyproject.toml)."""

from __future__ import annotations

import gc
import importlib
import sys


def run() -> None:
    """Run the CLI, with the cyclic garbage collector paused while its modules load.

    Start-up creates tens of thousands of objects that live until exit (modules, functions, classes,
    click's commands); the collector would walk them dozens of times for nothing, about 7 ms of a
    five-component scan. They are frozen instead (``gc.freeze``: never examined again) and the
    collector resumes before the command runs, so the command itself runs exactly as before. The
    modules the named command imports when it starts (``STARTUP_MODULES``) are loaded here too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        _import_msgspec()
        from compliance import cli
        from compliance.cli import STARTUP_MODULES, main

        cli.FAST_EXIT = True  # this is the process of the command: a finished scan may skip teardown

        for module in STARTUP_MODULES.get(sys.argv[1] if len(sys.argv) > 1 else "", ()):
            importlib.import_module(module)
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
    main()


def _import_msgspec() -> None:
    """Import msgspec (the records, the rule-pack cache) without ``typing_extensions``: 3 ms of a 0.1 s
    scan, for what msgspec takes from it only when it is installed (``get_type_hints``, which ``typing``
    has too, and ``Required``/``NotRequired`` for TypedDicts, which complycheck never decodes). Only
    in the command's own process; a later ``import typing_extensions`` works as usual."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import msgspec  # noqa: F401
    finally:
        del sys.modules["typing_extensions"]


if __name__ == "__main__":
    run()
