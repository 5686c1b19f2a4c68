"""Start the real bridge (`ocpp-bridge run ...`) for a bench run, under the bench's process settings.

    python -m bridge.bench.launch [--loop asyncio|uvloop] [--cpus 0] -- run --csms-url ... --port ...

Only pins the process, raises its open-file limit and installs the event loop policy; everything
after `--` goes to the bridge's own command line unchanged, so the bench measures the code that
`ocpp-bridge run` runs.
"""

from __future__ import annotations

import argparse
import sys

from bridge.bench.process import prepare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.bench.launch")
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    parser.add_argument("--cpus", default=None)
    parser.add_argument("bridge_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    prepare(args.loop, args.cpus)
    from bridge.cli import main as bridge_main

    rest = args.bridge_args[1:] if args.bridge_args[:1] == ["--"] else args.bridge_args
    return bridge_main(rest)


if __name__ == "__main__":
    sys.exit(main())
