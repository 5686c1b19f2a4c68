"""A longer fuzzing campaign for the frame parser and the engine than the test suite's few seconds.

    python tools/fuzz_frames.py --minutes 30              # hypothesis: the suite's properties, scaled up
    python tools/fuzz_frames.py --atheris --minutes 30    # coverage-guided (pip install atheris)

The properties are those of tests/test_hostile.py, so a campaign checks exactly what the suite does:
rpc.parse returns a frame or raises FrameError, nothing else, and what it returns serializes back;
Engine.receive never raises and emits only valid UTF-8 JSON frames that the receiver's official
schema accepts, or CALLERRORs with codes the receiver's version knows; mutated payloads through
every translator give a valid frame or the right CALLERROR.

hypothesis mode runs those tests with many times the examples (BRIDGE_FUZZ_SCALE), a new random seed
each round, until the time is up or one fails (the failing example is printed and kept in the
.hypothesis database, so the next `python -m pytest` replays it). atheris mode feeds libFuzzer's
byte strings, read as text for either side, to the parser and the engine, starting from a corpus of
valid frames for every translated action; a crash leaves a `crash-*` file to replay with
`python tools/fuzz_frames.py --atheris crash-<hash>`.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HYPOTHESIS_TESTS = "parser or engine_answers or mutated or station_id or raw_path"


def hypothesis_campaign(minutes: float, scale: int) -> int:
    deadline = time.monotonic() + minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        remaining = deadline - time.monotonic()
        print(f"round {rounds}: {scale}x the suite's examples, {remaining / 60:.1f} min left", flush=True)
        try:
            result = subprocess.run(
                [
                    sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "tests/test_hostile.py",
                    "-k", HYPOTHESIS_TESTS, "--hypothesis-seed", str(int.from_bytes(os.urandom(4), "big")),
                ],
                cwd=ROOT,
                env={**os.environ, "BRIDGE_FUZZ_SCALE": str(scale)},
                timeout=max(60.0, remaining),
            )  # fmt: skip
        except subprocess.TimeoutExpired:  # a round at a large scale can outlast the budget
            print(f"\ntime is up in round {rounds}: cut short, no failure until then")
            return 0
        if result.returncode != 0:
            print(f"FAILED in round {rounds}: the failing example is above (and in .hypothesis/)")
            return 1
    print(f"no failure in {rounds} round(s) of {minutes:g} min")
    return 0


def atheris_campaign(minutes: float, extra: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: pip install atheris (or run without --atheris)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    with atheris.instrument_imports():
        import bridge.translate  # noqa: F401  (registers the translators)
        from bridge import rpc
        from bridge.engine import Engine, Side
        from bridge.tables import load_tables
        from bridge.translate.context import StationContext
    from tests.schemas import ERROR_CODES
    from tests.test_hostile import check_parse, parsed
    from tests.test_properties import VERSION

    tables = load_tables()
    logging.disable(logging.CRITICAL)  # the engine logs every refusal: millions of lines otherwise

    def one_input(data: bytes) -> None:
        """First byte: which side sends (low bit); the rest: the frame, as a binary and a text frame."""
        if not data:
            return
        side = Side.STATION if data[0] & 1 else Side.CSMS
        frames: list[str | bytes] = [data[1:]]
        try:
            frames.append(data[1:].decode("utf-8"))  # a text frame is valid UTF-8 (RFC 6455)
        except UnicodeDecodeError:
            pass
        for frame_data in frames:
            check_parse(frame_data)
            engine = Engine(StationContext("CP-FUZZ", tables))
            for peer_side, frame in parsed(engine.receive(side, frame_data)):
                assert frame[0] in (rpc.CALL, rpc.CALLRESULT, rpc.CALLERROR), frame
                if frame[0] == rpc.CALLERROR:
                    assert frame[2] in ERROR_CODES[VERSION[peer_side]], frame

    corpus = Path(tempfile.mkdtemp(prefix="fuzz-frames-corpus-"))
    write_corpus(corpus)
    args = [sys.argv[0], f"-max_total_time={int(minutes * 60)}", *extra, str(corpus)]
    atheris.Setup(args, one_input)
    atheris.Fuzz()
    return 0


def write_corpus(directory: Path) -> None:
    """Valid frames, one a file, for every translated action: where the mutations start from."""
    import json

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.schemas import schema
    from tests.strategies import from_schema
    from tests.test_properties import VERSION, cases

    frames: list[bytes] = []

    @settings(max_examples=3 * len(cases()), database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        side, action = data.draw(st.sampled_from(cases()))
        payload = data.draw(from_schema(schema(VERSION[side], action)))
        flag = b"\x01" if side.value == "station" else b"\x00"
        frames.append(flag + json.dumps([2, "c1", action, payload]).encode())

    draw()
    for number, frame in enumerate(frames):
        (directory / f"{number:05d}").write_bytes(frame)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--scale", type=int, default=50, help="hypothesis mode: times the suite's examples")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided fuzzing with atheris")
    args, extra = parser.parse_known_args()
    if args.atheris:
        return atheris_campaign(args.minutes, extra)
    return hypothesis_campaign(args.minutes, args.scale)


if __name__ == "__main__":
    sys.exit(main())
