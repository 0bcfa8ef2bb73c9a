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


if __name__ == "__main__":
    run()
