"""Coverage-guided fuzz targets, one per reader (atheris, i.e. libFuzzer for Python).

Each target feeds mutated bytes to one reader, starting from a seed corpus made of every example and
test fixture that reader detects (plus the committed regression inputs). The only allowed outcomes
are an inventory or an ``InputError`` (and ``RecursionError``, which the scan turns into that input's
error); anything else is a crash, and libFuzzer writes the input that caused it.

    python tests/fuzz/fuzz_readers.py --all --seconds 60        # every reader, 60 s each
    python tests/fuzz/fuzz_readers.py osquery --seconds 600     # one reader, longer
    python tests/fuzz/fuzz_readers.py --list

Crashing inputs land in ``fuzz-artifacts/`` (or ``--out DIR``). Fix the reader, then copy the input to
``tests/fixtures/fuzz-regressions/<reader>/`` so the test suite keeps it fixed. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(REPO), str(HERE.parent)]


def _child(reader: str, libfuzzer_args: list[str]) -> None:
    """Run one reader's target in this process (libFuzzer runs once per process)."""
    import atheris

    with atheris.instrument_imports(include=["compliance"]):
        from compliance.errors import InputError
        from compliance.readers import read_source
        from compliance.readers.base import Source

    def test_one_input(data: bytes) -> None:
        with contextlib.suppress(InputError, RecursionError):
            read_source(Source("fuzz-input", data), reader)

    atheris.Setup([sys.argv[0], *libfuzzer_args], test_one_input, custom_mutator=_json_aware_mutator)
    atheris.Fuzz()


_VALUES = (None, True, False, 0, -1, 2**64, 1.5, "", "x", "{3B9C}", "\ufdfa" * 3, [], ["x"], [{}], {}, {"name": ["x"]})


def _json_aware_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    """Half the time, when the input is JSON, put a value of another type at a random place (the
    type confusions byte flips rarely reach); otherwise libFuzzer's own byte mutation."""
    import json
    import random

    import atheris

    rng = random.Random(seed)
    if rng.random() < 0.5:
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            doc = None
        if isinstance(doc, (dict, list)):
            places: list[tuple[object, object]] = []
            stack: list[object] = [doc]
            while stack and len(places) < 5000:
                node = stack.pop()
                items = node.items() if isinstance(node, dict) else enumerate(node)  # type: ignore[union-attr]
                for key, value in items:
                    places.append((node, key))
                    if isinstance(value, (dict, list)):
                        stack.append(value)
            if places:
                node, key = rng.choice(places)
                node[key] = rng.choice(_VALUES)  # type: ignore[index]
                out = json.dumps(doc).encode()
                if len(out) <= max_size:
                    return out
    return atheris.Mutate(data, max_size)


def _corpus(reader: str, into: Path) -> int:
    from reader_seeds import REGRESSIONS, seeds_by_reader

    seeds = list(seeds_by_reader()[reader])
    if (REGRESSIONS / reader).is_dir():
        seeds.extend(sorted((REGRESSIONS / reader).iterdir()))
    for i, path in enumerate(seeds):
        shutil.copyfile(path, into / f"seed-{i:03d}-{path.name}")
    return len(seeds)


def run(reader: str, seconds: int, out: Path, extra: list[str]) -> int:
    """Fuzz one reader for ``seconds`` in a child process; returns its exit code (0: no crash)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"corpus-{reader}-") as tmp:
        corpus = Path(tmp)
        n = _corpus(reader, corpus)
        print(f"== {reader}: {n} seeds, {seconds} s", flush=True)
        cmd = [
            sys.executable, str(Path(__file__).resolve()), "--child", reader, str(corpus),
            f"-max_total_time={seconds}", "-timeout=20", "-rss_limit_mb=3072", "-max_len=65536",
            f"-artifact_prefix={out}/{reader}-", "-print_final_stats=1", *extra,
        ]
        proc = subprocess.run(cmd, cwd=str(REPO))
        return proc.returncode


def main() -> int:
    from compliance.readers import reader_names

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readers", nargs="*", help="reader names (see --list)")
    parser.add_argument("--all", action="store_true", help="fuzz every reader in turn")
    parser.add_argument("--seconds", type=int, default=60, help="time per reader (default 60)")
    parser.add_argument("--out", default=str(REPO / "fuzz-artifacts"), help="where crashing inputs are written")
    parser.add_argument("--list", action="store_true", help="list the readers and exit")
    args, extra = parser.parse_known_args()
    names = reader_names()
    if args.list:
        print("\n".join(names))
        return 0
    chosen = names if args.all else args.readers
    unknown = [r for r in chosen if r not in names]
    if not chosen or unknown:
        parser.error(f"name readers or use --all; known: {', '.join(names)}")
    failed = [r for r in chosen if run(r, args.seconds, Path(args.out).resolve(), extra) != 0]
    print(f"fuzzed {len(chosen)} reader(s); crashes in: {', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
