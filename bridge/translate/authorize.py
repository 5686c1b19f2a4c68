"""Authorize, station (1.6) -> CSMS (2.0.1).

- idTag -> idToken {idToken: idTag, type: --id-token-type (default ISO14443, an RFID card)}.
- idTokenInfo -> idTagInfo: status through mappings/authorization.toml (2.0.1-only statuses become
  Invalid), cacheExpiryDateTime -> expiryDate, groupIdToken.idToken -> parentIdTag (dropped when longer
  than 1.6's 20 characters). The other idTokenInfo fields have no 1.6 place.
"""

from __future__ import annotations

import logging

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, up

log = logging.getLogger(__name__)


def id_tag_info(info: v201.IdTokenInfoType, ctx: StationContext) -> v16.AuthorizeResponseIdTagInfo:
    """1.6 idTagInfo from 2.0.1 idTokenInfo (shared with the transaction translators)."""
    parent = info.groupIdToken.idToken if info.groupIdToken is not None else None
    if parent is not None and len(parent) > 20:
        log.info("groupIdToken %r is longer than a 1.6 parentIdTag (20); dropped", parent)
        parent = None
    return v16.AuthorizeResponseIdTagInfo(
        status=ctx.tables.authorization_status[info.status].value,
        expiryDate=info.cacheExpiryDateTime,
        parentIdTag=parent,
    )


@up.call("Authorize")
def authorize(request: v16.AuthorizeRequest, ctx: StationContext) -> Outcome:
    token = v201.IdTokenType(idToken=request.idTag, type=ctx.id_token_type)
    return Forward("Authorize", v201.AuthorizeRequest(idToken=token))


@up.result("Authorize")
def authorize_result(
    answer: v201.AuthorizeResponse, request: object, ctx: StationContext, note: object
) -> v16.AuthorizeResponse:
    return v16.AuthorizeResponse(idTagInfo=id_tag_info(answer.idTokenInfo, ctx))
