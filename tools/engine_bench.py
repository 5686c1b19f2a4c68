"""The translation core alone, per action: microseconds of CPU per call, no sockets.

    python tools/engine_bench.py                                # the engine; memory and SQLite stores
    python tools/engine_bench.py --redis-url redis://127.0.0.1:6379/15
    python tools/engine_bench.py --profile MeterValues          # cProfile of one action

`ocpp-bridge bench` measures the whole bridge against a plain relay; this isolates what the engine
adds per call (parse, validate, translate, serialize, both directions), which is where an
optimisation of the translators shows. Each row drives one Engine the way the session does: the
station's call goes in, a fixed CSMS answer comes back (bridge.bench.csms, as in the bench), and
any follow-up call the bridge makes is answered too. The transaction rows run inside a started
transaction. The store is not the engine's: the session saves a transaction event's record off the
event loop (bridge/session.py), so the second table gives each store's wall time per save, which
delays only that station's frame.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bridge.translate  # noqa: F401  (registers the translators)
from bridge.bench import mix
from bridge.bench.csms import answer
from bridge.engine import Engine, Send, Side
from bridge.store import TransactionRecord, open_store
from bridge.tables import load_tables
from bridge.translate.context import StationContext


def pump(engine: Engine, sends: list[Send], reply: dict[str, Any] | None = None) -> list[str]:
    """Answer every call the bridge makes to the CSMS (the first with `reply`, if given, the others
    as the bench CSMS does); return the frames that reached the station."""
    to_station = []
    todo = list(sends)
    batch = engine.take_batch()
    if batch is not None:  # the records a transaction event changed: taken as saved
        todo += engine.stored(batch, True)
    while todo:
        send = todo.pop(0)
        if send.side is Side.STATION:
            to_station.append(send.text)
            continue
        if reply is not None:
            text: str | None = json.dumps([3, json.loads(send.text)[1], reply])
            reply = None
        else:
            text = answer(send.text)
        if text is not None:
            todo += engine.receive(Side.CSMS, text)
    return to_station


def station() -> Engine:
    engine = Engine(StationContext("BENCH-1", load_tables()), deferred_store=True)
    pump(engine, engine.receive(Side.STATION, mix.boot_template() % "boot"))
    return engine


def start_transaction(engine: Engine) -> int:
    start = {"connectorId": 1, "idTag": "BENCH", "meterStart": 0, "timestamp": mix.TIMESTAMP}
    text = json.dumps([2, "start", "StartTransaction", start])
    (result,) = pump(engine, engine.receive(Side.STATION, text), {"idTokenInfo": {"status": "Accepted"}})
    return int(json.loads(result)[2]["transactionId"])


def rows() -> list[tuple[str, Engine, str]]:
    """(label, engine, frame template `% message_id`) for each measured action."""
    plain = station()

    def template(action: str, payload: dict[str, Any]) -> str:
        return f'[2,"%s","{action}",' + json.dumps(payload).replace("%", "%%") + "]"

    out = [
        ("MeterValues (5 samples)", plain, template("MeterValues", mix.METER_VALUES)),
        ("StatusNotification", plain, template("StatusNotification", mix.status("Available"))),
        ("Heartbeat", plain, template("Heartbeat", {})),
    ]
    charging = station()
    tx = start_transaction(charging)
    readings = dict(mix.METER_VALUES, transactionId=tx)
    out.append(("MeterValues in a transaction", charging, template("MeterValues", readings)))
    out.append(
        ("StatusNotification, charging", charging, template("StatusNotification", mix.status("Charging")))
    )
    return out


def measure(engine: Engine, frame: str, calls: int) -> float:
    """Microseconds per call, answer included."""
    for n in range(calls // 10):  # warm-up
        pump(engine, engine.receive(Side.STATION, frame % f"w{n}"))
    started = time.perf_counter()
    for n in range(calls):
        pump(engine, engine.receive(Side.STATION, frame % f"c{n}"))
    return (time.perf_counter() - started) / calls * 1e6


async def save_us(store_url: str, saves: int) -> float:
    """Microseconds of wall time per save of one transaction record (what a transaction event waits)."""
    store = open_store(store_url)
    await store.open()
    record = TransactionRecord("BENCH-1", 1, "00000000-0000-0000-0000-000000000001", 1)
    started = time.perf_counter()
    for _ in range(saves):
        await store.save([record])
    figure = (time.perf_counter() - started) / saves * 1e6
    await store.close()
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/engine_bench.py", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000, help="calls per row (default 10,000)")
    parser.add_argument("--redis-url", help="also measure the Redis store (use a scratch database)")
    parser.add_argument("--profile", metavar="ACTION", help="print a cProfile of the first row with ACTION")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch:
        table = rows()
        if args.profile:
            label, engine, frame = next(r for r in table if r[0].startswith(args.profile))
            run: Callable[[], float] = lambda: measure(engine, frame, args.calls)  # noqa: E731
            cProfile.runctx("run()", globals(), {"run": run}, f"{scratch}/profile")
            pstats.Stats(f"{scratch}/profile").sort_stats("tottime").print_stats(25)
            return 0
        print(f"{'us per call (engine only)':32s}{'engine':>10s}")
        for label, engine, frame in table:
            print(f"{label:32s}{measure(engine, frame, args.calls):10.1f}")
        stores = {"memory": "memory:", "sqlite": f"sqlite:///{scratch}/bench.sqlite3"}
        if args.redis_url:
            stores["redis"] = args.redis_url
        print()
        print(f"{'us per save (wall, off the loop)':32s}" + "".join(f"{name:>10s}" for name in stores))
        saves = max(10, args.calls // 10)
        figures = [asyncio.run(save_us(url, saves)) for url in stores.values()]
        print(f"{'transaction event':32s}" + "".join(f"{f:10.2f}" for f in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
