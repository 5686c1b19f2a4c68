"""The translation core for one station <-> CSMS pair: text frames in, text frames out. No I/O.

`Engine.receive(side, text)` takes a frame from the station (OCPP 1.6J) or the CSMS (OCPP 2.0.1)
and returns the frames to send, each addressed to a side. It parses the frame once, validates the
payload against the sender's schema (generated models), finds the translator for the action
(bridge/translate/), keeps the pending-call tables that correlate answers with their calls, and
answers bad input itself with the right CALLERROR for the sender's version. The aiohttp session,
the `translate` command, the demo and the tests all drive it the same way.

At most one call is in flight towards each peer, as OCPP-J requires; further calls (a follow-up
NotifyEvent, a station that does not wait) queue until the answer comes or the call times out.
`expire()` answers calls that timed out with a CALLERROR to their sender.

Transactions: a translation that starts, numbers or ends a transaction stages the records it changed
(bridge/translate/context.py). With `deferred_store` (the live bridge), the engine then holds every
frame that translation produced and leaves a `StoreBatch` in `engine.batch`: the session saves the
records (asynchronously, bounded by --store-timeout) and calls `stored(batch, ok)`, which releases
the held frames, or on failure undoes the translation and answers the caller InternalError, so the
CSMS never gets a TransactionEvent whose record is not stored. Held calls keep their place in the
one-call-in-flight queue, so nothing overtakes them. Without it (translate, tests) the records are
simply kept in the connection's memory.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any, Protocol

from pydantic import ValidationError

from bridge import rpc
from bridge.models import v16, v201
from bridge.models.base import Message, Payload, json_data
from bridge.repair import Change
from bridge.store import StoreUnavailable, TransactionRecord
from bridge.translate import same_shape
from bridge.translate.context import Staged, StationContext
from bridge.translate.registry import (
    Answer,
    BridgeCall,
    Continue,
    Forward,
    Refuse,
    Registry,
    Reply,
    Translator,
    down,
    up,
)

log = logging.getLogger(__name__)


class Side(StrEnum):
    STATION = "station"
    CSMS = "csms"


@dataclass(slots=True)
class Send:
    side: Side
    text: str


class Observer(Protocol):
    """What the engine reports; the server turns it into Prometheus metrics."""

    def frame_in(self, side: Side, action: str) -> None: ...
    def frame_out(self, side: Side, action: str) -> None: ...
    def error(self, side: Side, reason: str) -> None: ...
    def round_trip(self, side: Side, action: str, seconds: float) -> None: ...
    def timeout(self, side: Side, action: str) -> None: ...
    def repaired(self, action: str, changes: Sequence[Change]) -> None: ...


class NullObserver:
    def frame_in(self, side: Side, action: str) -> None:
        pass

    def frame_out(self, side: Side, action: str) -> None:
        pass

    def error(self, side: Side, reason: str) -> None:
        pass

    def round_trip(self, side: Side, action: str, seconds: float) -> None:
        pass

    def timeout(self, side: Side, action: str) -> None:
        pass

    def repaired(self, action: str, changes: Sequence[Change]) -> None:
        pass


@dataclass(slots=True)
class Pending:
    """A call sent to a peer, waiting for its answer."""

    call_id: str
    action: str  # the caller's action
    sent_action: str  # the action the receiver got
    frame: str  # the serialized call, sent when its turn comes
    request: Message | None = None  # the caller's validated request
    translator: Translator | None = None  # None: the bridge made this call itself
    note: Any = None
    then: tuple[BridgeCall, ...] = ()
    sent_at: float = 0.0
    held: bool = False  # waits for its StoreBatch to be saved before it may be sent
    reply_to: str | None = None  # a chained call (Continue): the caller's message id, if not call_id

    @property
    def answer_id(self) -> str:
        """The message id the caller's answer carries."""
        return self.reply_to or self.call_id


@dataclass(slots=True)
class StoreBatch:
    """Records one translation changed, and the frames held until they are saved."""

    staged: Staged
    origin: Leg  # the peer whose call the translation answered or forwarded
    message_id: str  # that call's id
    action: str
    held: list[tuple[Leg, Pending]] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)  # answers to send once saved

    @property
    def records(self) -> list[TransactionRecord]:
        return self.staged.records


class PendingTable:
    """Calls sent to one peer, by message id, each with a deadline of `ttl` seconds.

    Every call gets the same ttl and arrives in time order, so the dict's insertion order is the
    deadline order: `expire` looks only at the front, and a frame costs a couple of dict operations.
    (cachetools' TTLCache did this with a linked list and an expiry sweep on every access: a fifth
    of the engine's time per call.) The engine bounds the size itself (--max-pending-calls) and
    answers a call over the bound with a CALLERROR, which a cache that silently evicts could not.
    """

    __slots__ = ("_items", "clock", "ttl")

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[str, tuple[float, Pending]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._items

    def add(self, pending: Pending) -> None:
        self._items[pending.call_id] = (self.clock() + self.ttl, pending)

    def get(self, message_id: str) -> Pending | None:
        item = self._items.get(message_id)
        return item[1] if item is not None else None

    def chained_for(self, message_id: str) -> bool:
        """A chain (Continue) is still answering the caller's call `message_id` under ids of its own."""
        return any(pending.reply_to == message_id for _, pending in self._items.values())

    def pop(self, message_id: str) -> Pending | None:
        item = self._items.pop(message_id, None)
        return item[1] if item is not None else None

    def expire(self) -> list[Pending]:
        """Remove and return the calls whose deadline has passed, oldest first."""
        if not self._items:
            return []
        now = self.clock()
        expired = []
        for deadline, pending in self._items.values():
            if deadline > now:
                break
            expired.append(pending)
        for pending in expired:
            del self._items[pending.call_id]
        return expired


@functools.cache
def _validators(models: ModuleType, kind: str) -> dict[str, Callable[[Any], Message]]:
    """Each action's schema validator (the compiled pydantic-core one, without model_validate's
    per-call wrapper), shared by every station."""
    table: dict[str, type[Message]] = getattr(models, kind)
    return {action: model.__pydantic_validator__.validate_python for action, model in table.items()}


@functools.cache
def _call_translators(registry: Registry, same: frozenset[str]) -> dict[str, Translator]:
    """The translator of every call one side may make, registered or same-shape, shared by every
    station (the registries are complete once bridge.translate is imported, as this module does)."""
    found = {action: t for action, t in registry.translators.items() if t.call is not None}
    for action in same - found.keys():
        found[action] = same_shape.translator(action, registry.sender)
    return found


@dataclass(slots=True)
class Leg:
    """One peer of the pair and the calls waiting on it."""

    side: Side
    version: str  # "1.6" or "2.0.1"
    key: str  # column of mappings/errors.toml reasons
    requests: dict[str, Callable[[Any], Message]]  # validators of the calls this peer makes
    responses: dict[str, Callable[[Any], Message]]  # validators of this peer's answers
    translators: dict[str, Translator]  # for the calls this peer makes
    awaiting: PendingTable  # calls sent to this peer, by message id
    codes_in: dict[str, str]  # error codes of the other version, spelled for this peer
    valid_codes: frozenset[str]
    queue: deque[str] = field(default_factory=deque)
    inflight: str | None = None

    @property
    def name(self) -> str:
        return f"{'station' if self.side is Side.STATION else 'CSMS'} (OCPP {self.version})"


class Engine:
    def __init__(
        self,
        ctx: StationContext,
        *,
        call_timeout: float = 30.0,
        max_pending: int = 16,
        observer: Observer | None = None,
        clock: Callable[[], float] = time.monotonic,
        deferred_store: bool = False,
        repairs: bool = True,
        one_in_flight: bool = True,
    ) -> None:
        self.ctx = ctx
        self.repairs = repairs  # --station-repairs; the topology file may override it per station
        self.deferred_store = deferred_store
        self.batch: StoreBatch | None = None  # records waiting to be saved: see stored()
        self._holding: StoreBatch | None = None  # the batch the current translation fills
        # False (`ocpp-bridge translate`): every call is sent at once, so a capture of calls without
        # their answers still shows each call's translation; a live session keeps OCPP-J's one call
        self.one_in_flight = one_in_flight
        self.observer: Observer = observer or NullObserver()
        self.clock = clock
        self.call_timeout = call_timeout
        self.max_pending = max_pending
        self.log = logging.LoggerAdapter(log, {"station_id": ctx.station_id})
        errors = ctx.tables.errors
        self.station = Leg(
            Side.STATION,
            "1.6",
            "v16",
            _validators(v16, "REQUESTS"),
            _validators(v16, "RESPONSES"),
            _call_translators(up, ctx.tables.same_shape_up),
            PendingTable(call_timeout, clock),
            errors.v201_to_v16,
            errors.v16_codes,
        )
        self.csms = Leg(
            Side.CSMS,
            "2.0.1",
            "v201",
            _validators(v201, "REQUESTS"),
            _validators(v201, "RESPONSES"),
            _call_translators(down, ctx.tables.same_shape_down),
            PendingTable(call_timeout, clock),
            errors.v16_to_v201,
            errors.v201_codes,
        )

    # -- public API --------------------------------------------------------------------------------

    def receive(self, side: Side, text: str | bytes) -> list[Send]:
        """Handle one frame from `side`; return the frames to send."""
        leg = self._leg(side)
        out: list[Send] = []
        try:
            frame = rpc.parse(text)
        except rpc.FrameError as exc:
            self._refuse(leg, exc.message_id, exc.reason, exc.message, out)
            return out
        try:
            if isinstance(frame, rpc.Call):
                self._on_call(leg, frame, out)
            elif isinstance(frame, rpc.CallResult):
                self._on_result(leg, frame, out)
            else:
                self._on_error(leg, frame, out)
        except Exception:  # the last guard: a bug costs this frame, never the connection
            self.log.exception("the bridge failed to handle a frame from the %s", leg.name)
            self._holding = None
            batch, self.batch = self.batch, None
            if batch is not None:  # undo what it staged and held; its caller gets InternalError
                out.extend(self.stored(batch, False, "the bridge failed to translate it"))
            else:
                self.ctx.rollback()
            if isinstance(frame, rpc.Call) and not any(s.side is leg.side for s in out):  # unanswered
                self._refuse(
                    leg, frame.id, "internal_error", f"the bridge failed to handle {frame.action}", out
                )
            else:
                self.observer.error(leg.side, "internal_error")
        return out

    def expire(self) -> list[Send]:
        """Answer every call whose time ran out with a CALLERROR to its sender."""
        out: list[Send] = []
        for leg in (self.station, self.csms):
            for pending in leg.awaiting.expire():
                call_id = pending.call_id
                if call_id in leg.queue:
                    leg.queue.remove(call_id)
                self.observer.timeout(leg.side, pending.sent_action)
                self.log.warning(
                    "no answer from the %s to %s %s within %.0f s",
                    leg.name,
                    pending.sent_action,
                    call_id,
                    self.call_timeout,
                )
                if leg.inflight == call_id:
                    self._release(leg, out)
                if pending.translator is not None:
                    origin = self._other(leg)
                    description = f"no answer from the {leg.name} within {self.call_timeout:g} s"
                    self._refuse(origin, pending.answer_id, "timeout", description, out)
        return out

    def take_batch(self) -> StoreBatch | None:
        """The records the last frame's translation changed, if they must be saved before its
        frames go out; the caller saves them and calls `stored()`."""
        batch, self.batch = self.batch, None
        return batch

    def stored(self, batch: StoreBatch, ok: bool, problem: str = "") -> list[Send]:
        """The store saved a batch (ok) or could not (`problem` says why): the frames to send now."""
        out: list[Send] = []
        if ok:
            out.extend(batch.sends)
            for _, pending in batch.held:
                pending.held = False
        else:
            self.ctx.rollback(batch.staged)
            for leg, pending in batch.held:
                if leg.awaiting.pop(pending.call_id) is not None and pending.call_id in leg.queue:
                    leg.queue.remove(pending.call_id)
            description = (
                f"the bridge's transaction store is unavailable ({problem or 'failed'}); retry later"
            )
            self._refuse(batch.origin, batch.message_id, "store_unavailable", description[:255], out)
        for leg in (self.station, self.csms):
            if leg.inflight is None:
                self._release(leg, out)
        return out

    def pending(self) -> int:
        """Calls waiting for an answer, both directions."""
        return len(self.station.awaiting) + len(self.csms.awaiting)

    def call(self, side: Side, action: str, payload: Payload) -> list[Send]:
        """Make a call of the bridge's own to `side` (its answer is checked and consumed)."""
        out: list[Send] = []
        self._bridge_call(self._leg(side), BridgeCall(action, payload), out)
        return out

    # -- frames from a peer ------------------------------------------------------------------------

    def _on_call(self, leg: Leg, call: rpc.Call, out: list[Send]) -> None:
        self.observer.frame_in(leg.side, call.action)
        validate = leg.requests.get(call.action)
        translator = leg.translators.get(call.action)
        if validate is None:
            self._refuse(
                leg, call.id, "unknown_action", f"{call.action} is not an OCPP {leg.version} action", out
            )
            return
        try:
            request = validate(call.payload)
        except ValidationError as exc:
            repaired = self._repaired(leg, call, validate, exc, out)
            if repaired is None:
                return
            request = repaired
        except Exception:  # a validator that fails on valid input: this frame's fault, not the session's
            self.log.exception("validating %s %s failed", leg.version, call.action)
            self._refuse(leg, call.id, "internal_error", f"the bridge failed to read {call.action}", out)
            return
        if translator is None:
            description = f"{call.action} is not translated by the bridge (see the README's coverage table)"
            self._refuse(leg, call.id, "unknown_action", description, out)
            return
        target = self._other(leg)
        if call.id in target.awaiting or target.awaiting.chained_for(call.id):
            self._refuse(leg, call.id, "duplicate_message_id", f"message id {call.id} is already in use", out)
            return
        if len(target.awaiting) >= self.max_pending:
            description = f"more than {self.max_pending} calls waiting for an answer"
            self._refuse(leg, call.id, "too_many_pending_calls", description, out)
            return
        try:
            outcome = translator.call(request, self.ctx)  # type: ignore[misc]
            if not isinstance(outcome, Refuse):  # serialized here, so that a failure costs this call only
                outcome.payload = json_data(outcome.payload)
        except ValidationError as exc:
            self.ctx.rollback()
            description = f"{call.action} cannot be expressed in OCPP {target.version}: {self._first(exc)}"
            self._refuse(leg, call.id, "untranslatable", description, out)
            return
        except StoreUnavailable as exc:
            self.ctx.rollback()
            description = f"the bridge's transaction store is unavailable ({exc}); retry later"
            self._refuse(leg, call.id, "store_unavailable", description[:255], out)
            return
        except Exception:
            self.ctx.rollback()
            self.log.exception("translator for %s %s failed", leg.version, call.action)
            self._refuse(leg, call.id, "internal_error", f"the bridge failed to translate {call.action}", out)
            return
        if isinstance(outcome, Refuse):
            self.ctx.rollback()
            self._refuse(leg, call.id, outcome.reason, outcome.description, out)
            return
        sink = self._hold(leg, call.id, call.action, out)
        if isinstance(outcome, Answer):
            self._answer(leg, call.id, call.action, outcome.payload, sink)
            for extra in outcome.then:
                self._bridge_call(target, extra, sink)
        else:
            self._forward(target, call, request, translator, outcome, sink)
        self._holding = None

    def _repaired(
        self,
        leg: Leg,
        call: rpc.Call,
        validate: Callable[[Any], Message],
        exc: ValidationError,
        out: list[Send],
    ) -> Message | None:
        """A call that broke its schema: from a station with repairs on, the validated repair of it
        (bridge/repair.py, mappings/repairs.toml); otherwise, or when no repair makes it valid, None
        once it is refused (or answered, when nothing is left to send on)."""
        repaired = None
        if leg is self.station:
            override = self.ctx.topologies.station_repairs(self.ctx.station_id, self.ctx.model)
            if self.repairs if override is None else override:
                repaired = self.ctx.tables.repairs.repair(call.action, call.payload)
        if repaired is not None and repaired.answer is not None:
            self._report_repairs(call, repaired.changes)
            self._answer(leg, call.id, call.action, repaired.answer, out)
            return None
        if repaired is not None:
            try:
                request = validate(repaired.payload)
            except ValidationError as still:
                self.log.debug("repairs of %s did not make it valid: %s", call.action, self._first(still))
                exc = still  # refused for what is left, not for what was repaired
            else:
                self._report_repairs(call, repaired.changes)
                return request
        reason, description, details = self._violation(exc)
        self._refuse(leg, call.id, reason, f"{call.action}: {description}", out, details)
        return None

    def _report_repairs(self, call: rpc.Call, changes: Sequence[Change]) -> None:
        """One WARNING per repair kind and connection (then DEBUG), and the metric."""
        self.observer.repaired(call.action, changes)
        for change in changes:
            first = self.ctx.first_time(f"repair {change.repair}")
            self.log.log(
                logging.WARNING if first else logging.DEBUG,
                "repaired %s %s from station %s: %s [%s]%s",
                call.action,
                call.id,
                self.ctx.station_id,
                change.note,
                change.repair,
                "; this repair is logged at DEBUG for the rest of the connection" if first else "",
            )

    def _on_result(self, leg: Leg, result: rpc.CallResult, out: list[Send]) -> None:
        pending = self._settle(leg, result.id, out)
        if pending is None:
            return
        try:
            answer = leg.responses[pending.sent_action](result.payload)
        except ValidationError as exc:
            description = self._violation(exc)[1]
            text = f"the {leg.name} answered {pending.sent_action} with an invalid payload: {description}"
            if pending.translator is None:
                self.observer.error(leg.side, "bad_answer")
                self.log.warning("%s", text)
            else:
                self._refuse(self._other(leg), pending.answer_id, "bad_answer", text, out)
            return
        except Exception:
            self.log.exception("validating the answer to %s %s failed", leg.version, pending.sent_action)
            if pending.translator is None:
                self.observer.error(leg.side, "internal_error")
            else:
                description = f"the bridge failed to read the answer to {pending.action}"
                self._refuse(self._other(leg), pending.answer_id, "internal_error", description, out)
            return
        if pending.translator is None:
            return
        origin = self._other(leg)
        result_translator = pending.translator.result
        try:
            if result_translator is None:
                raise RuntimeError(f"no result translator for {pending.action}")
            translated = result_translator(answer, pending.request, self.ctx, pending.note)
            if isinstance(translated, Reply | Continue):
                translated.payload = json_data(translated.payload)
            elif not isinstance(translated, Refuse):
                translated = json_data(translated)
        except ValidationError as exc:
            self.ctx.rollback()
            description = f"the answer to {pending.action} cannot be expressed in OCPP {origin.version}: "
            self._refuse(origin, pending.answer_id, "untranslatable", description + self._first(exc), out)
            return
        except StoreUnavailable as exc:
            self.ctx.rollback()
            description = f"the bridge's transaction store is unavailable ({exc}); retry later"
            self._refuse(origin, pending.call_id, "store_unavailable", description[:255], out)
            return
        except Exception:
            self.ctx.rollback()
            self.log.exception("result translator for %s %s failed", origin.version, pending.action)
            description = f"the bridge failed to translate the answer to {pending.action}"
            self._refuse(origin, pending.answer_id, "internal_error", description, out)
            return
        if isinstance(translated, Refuse):
            self.ctx.rollback()
            self._refuse(origin, pending.answer_id, translated.reason, translated.description, out)
            return
        if isinstance(translated, Continue):  # the next call of a chain, for the same caller
            sink = self._hold(origin, pending.answer_id, pending.action, out)
            self._continue(leg, pending, translated, sink)
            self._holding = None
            return
        to_sender: tuple[BridgeCall, ...] = ()
        if isinstance(translated, Reply):
            to_sender = translated.calls_to_sender
            translated = translated.payload
        sink = self._hold(origin, pending.answer_id, pending.action, out)
        self._answer(origin, pending.answer_id, pending.action, translated, sink)
        for extra in pending.then:
            self._bridge_call(leg, extra, sink)
        for extra in to_sender:
            self._bridge_call(origin, extra, sink)
        self._holding = None

    def _on_error(self, leg: Leg, error: rpc.CallError, out: list[Send]) -> None:
        pending = self._settle(leg, error.id, out)
        if pending is None:
            return
        self.observer.error(leg.side, "peer_error")
        self.log.info(
            "the %s answered %s with CALLERROR %s: %s",
            leg.name,
            pending.sent_action,
            error.code,
            error.description,
        )
        if pending.translator is None:
            return
        origin = self._other(leg)
        code = origin.codes_in.get(error.code, error.code)
        if code not in origin.valid_codes:
            code = "GenericError"
        details = error.details if isinstance(error.details, dict) else {}
        out.append(
            Send(origin.side, rpc.dumps(rpc.CallError(pending.answer_id, code, error.description, details)))
        )
        self.observer.frame_out(origin.side, pending.action)

    # -- helpers -----------------------------------------------------------------------------------

    def _leg(self, side: Side) -> Leg:
        return self.station if side is Side.STATION else self.csms

    def _other(self, leg: Leg) -> Leg:
        return self.csms if leg is self.station else self.station

    def _settle(self, leg: Leg, message_id: str, out: list[Send]) -> Pending | None:
        """The pending call an answer from `leg` settles, or None (logged and counted)."""
        queued = message_id in leg.queue  # not sent yet, so it cannot be answered
        pending = None if queued else leg.awaiting.pop(message_id)
        if pending is None:
            self.observer.error(leg.side, "unknown_message_id")
            self.log.warning("the %s answered message id %s, which no pending call has", leg.name, message_id)
            return None
        self.observer.round_trip(leg.side, pending.sent_action, self.clock() - pending.sent_at)
        if leg.inflight == message_id:
            self._release(leg, out)
        return pending

    def _forward(
        self,
        target: Leg,
        call: rpc.Call,
        request: Message,
        translator: Translator,
        outcome: Forward,
        out: list[Send],
    ) -> None:
        frame = rpc.call_frame(call.id, outcome.action, json_data(outcome.payload))
        pending = Pending(
            call.id, call.action, outcome.action, frame, request, translator, outcome.note, outcome.then
        )
        self._submit(target, pending, out)

    def _continue(self, target: Leg, done: Pending, step: Continue, out: list[Send]) -> None:
        """Send the next call of a chain (e.g. SetVariables: one ChangeConfiguration per item) under a
        new message id; its answer goes to the same result translator, with the step's note."""
        call_id = str(uuid.uuid4())
        frame = rpc.call_frame(call_id, step.action, json_data(step.payload))
        following = Pending(
            call_id, done.action, step.action, frame, done.request, done.translator, step.note
        )
        following.then, following.reply_to = done.then, done.answer_id
        self._submit(target, following, out)

    def _bridge_call(self, target: Leg, extra: BridgeCall, out: list[Send]) -> None:
        call_id = str(uuid.uuid4())
        frame = rpc.call_frame(call_id, extra.action, json_data(extra.payload))
        self._submit(target, Pending(call_id, extra.action, extra.action, frame), out)

    def _hold(self, origin: Leg, message_id: str, action: str, out: list[Send]) -> list[Send]:
        """Where the frames of a translation go: `out`, or a new StoreBatch when it staged
        transaction records that must be saved first."""
        staged = self.ctx.take_writes()
        if staged is None or not self.deferred_store:
            return out
        batch = self.batch = self._holding = StoreBatch(staged, origin, message_id, action)
        return batch.sends

    def _submit(self, target: Leg, pending: Pending, out: list[Send]) -> None:
        target.awaiting.add(pending)
        if self._holding is not None:
            pending.held = True
            self._holding.held.append((target, pending))
            target.queue.append(pending.call_id)
        elif (target.inflight is None and not target.queue) or not self.one_in_flight:
            self._send_now(target, pending, out)
        else:
            target.queue.append(pending.call_id)

    def _send_now(self, target: Leg, pending: Pending, out: list[Send]) -> None:
        target.inflight = pending.call_id
        pending.sent_at = self.clock()
        out.append(Send(target.side, pending.frame))
        self.observer.frame_out(target.side, pending.sent_action)

    def _release(self, leg: Leg, out: list[Send]) -> None:
        leg.inflight = None
        while leg.queue:
            pending = leg.awaiting.get(leg.queue[0])
            if pending is None:
                leg.queue.popleft()
                continue
            if pending.held:  # its records are being saved: nothing may overtake it
                return
            leg.queue.popleft()
            self._send_now(leg, pending, out)
            return

    def _answer(self, leg: Leg, message_id: str, action: str, payload: Payload, out: list[Send]) -> None:
        out.append(Send(leg.side, rpc.result_frame(message_id, json_data(payload))))
        self.observer.frame_out(leg.side, action)

    def _refuse(
        self,
        leg: Leg,
        message_id: str,
        reason: str,
        description: str,
        out: list[Send],
        details: dict[str, Any] | None = None,
    ) -> None:
        code = self.ctx.tables.errors.reasons[reason][leg.key]
        out.append(Send(leg.side, rpc.dumps(rpc.CallError(message_id, code, description, details or {}))))
        self.observer.error(leg.side, reason)
        self.log.warning("answered the %s with %s: %s (%s)", leg.name, code, description, reason)

    def _violation(self, exc: ValidationError) -> tuple[str, str, dict[str, Any]]:
        """(reason, description, errorDetails) for a payload that breaks the sender's schema."""
        error = exc.errors()[0]
        kind = error["type"]
        reason = self.ctx.tables.errors.validation_errors.get(kind)
        if reason is None:
            reason = "type_violation" if kind.endswith("_type") else "format_violation"
        where = ".".join(str(part) for part in error["loc"]) or "payload"
        details: dict[str, Any] = {"field": where}
        value = error.get("input")
        hint = self.ctx.tables.hints.get(value) if isinstance(value, str) else None
        if kind == "enum":
            valid = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
            details["validValues"] = valid  # the whole list, even when the description is cut at 255
            lead = hint or f"{value!r} is not a valid value"
            return reason, f"{where}: {lead}; valid values: {', '.join(valid)}", details
        description = self._first(exc)
        return reason, f"{description}. {hint}" if hint else description, details

    @staticmethod
    def _first(exc: ValidationError) -> str:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "payload"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where}: {error['msg']}{more}"
