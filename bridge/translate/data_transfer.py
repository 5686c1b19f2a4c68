"""DataTransfer, both directions (vendor-specific messages).

vendorId and messageId are the same in both versions and carried as they are; the status names are
the same too. The difference is `data`: a string in 1.6, any JSON value in 2.0.1.
- Going down (to 1.6): a 2.0.1 `data` that is not a string is sent as its JSON text
  (`{"a": 1}` -> `"{\\"a\\":1}"`); 2.0.1's statusInfo has no 1.6 field and is dropped.
- Going up (to 2.0.1): the 1.6 string is passed as it is (the bridge does not guess whether it
  holds JSON).
"""

from __future__ import annotations

import json

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, down, up


def as_16(data: object) -> str | None:
    """2.0.1 `data` (any JSON) as a 1.6 `data` string."""
    if data is None or isinstance(data, str):
        return data
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@down.call("DataTransfer")
def data_transfer_down(request: v201.DataTransferRequest, ctx: StationContext) -> Outcome:
    return Forward(
        "DataTransfer",
        v16.DataTransferRequest(
            vendorId=request.vendorId, messageId=request.messageId, data=as_16(request.data)
        ),
    )


@down.result("DataTransfer")
def data_transfer_down_result(
    answer: v16.DataTransferResponse, request: object, ctx: StationContext, note: object
) -> v201.DataTransferResponse:
    return v201.DataTransferResponse(status=answer.status.value, data=answer.data)


@up.call("DataTransfer")
def data_transfer_up(request: v16.DataTransferRequest, ctx: StationContext) -> Outcome:
    return Forward(
        "DataTransfer",
        v201.DataTransferRequest(vendorId=request.vendorId, messageId=request.messageId, data=request.data),
    )


@up.result("DataTransfer")
def data_transfer_up_result(
    answer: v201.DataTransferResponse, request: object, ctx: StationContext, note: object
) -> v16.DataTransferResponse:
    return v16.DataTransferResponse(status=answer.status.value, data=as_16(answer.data))
