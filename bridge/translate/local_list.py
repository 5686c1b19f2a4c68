"""Local authorization list, CSMS (2.0.1) -> station (1.6): SendLocalList, GetLocalListVersion.
Value table: mappings/local_list.toml.

- SendLocalList: versionNumber -> listVersion, updateType as it is, each localAuthorizationList entry
  idToken.idToken -> idTag and idTokenInfo -> idTagInfo as for Authorize (status through
  mappings/authorization.toml, cacheExpiryDateTime -> expiryDate, groupIdToken -> parentIdTag when
  it fits). An idToken longer than 1.6's 20 characters is answered Failed by the bridge, and the
  list is not sent: a partial list would leave the station's list at the new version but wrong.
  Answer: Accepted, Failed, VersionMismatch as they are; 1.6 NotSupported -> Failed.
- GetLocalListVersion: listVersion -> versionNumber. 1.6 answers -1 when it has no local list at
  all; 2.0.1 has no such value, so the CSMS gets 0 (no list).
"""

from __future__ import annotations

from bridge.models import v16, v201
from bridge.translate.authorize import id_tag_info
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, info
from bridge.translate.registry import Answer, Forward, Outcome, down
from bridge.translate.reservation import ID_TAG_LENGTH

Entry = v16.SendLocalListRequestLocalAuthorizationList
EntryInfo = v16.SendLocalListRequestLocalAuthorizationListIdTagInfo


def _entry(item: v201.AuthorizationData, ctx: StationContext) -> Entry:
    tag_info = None
    if item.idTokenInfo is not None:
        tag_info = EntryInfo.model_validate(id_tag_info(item.idTokenInfo, ctx).to_json())
    return Entry(idTag=item.idToken.idToken, idTagInfo=tag_info)


@down.call("SendLocalList")
def send_local_list(request: v201.SendLocalListRequest, ctx: StationContext) -> Outcome:
    items = request.localAuthorizationList
    for position, item in enumerate(items or []):
        if len(item.idToken.idToken) > ID_TAG_LENGTH:
            text = (
                f"localAuthorizationList[{position}]: idToken has {len(item.idToken.idToken)} characters; "
                f"an OCPP 1.6 idTag holds at most {ID_TAG_LENGTH}, so the list was not sent"
            )
            return Answer(
                v201.SendLocalListResponse(status="Failed", statusInfo=info("InvalidIdToken", text))
            )
    return Forward(
        "SendLocalList",
        v16.SendLocalListRequest(
            listVersion=request.versionNumber,
            localAuthorizationList=None if items is None else [_entry(item, ctx) for item in items],
            updateType=request.updateType.value,
        ),
    )


@down.result("SendLocalList")
def send_local_list_result(
    answer: v16.SendLocalListResponse, request: object, ctx: StationContext, note: object
) -> v201.SendLocalListResponse:
    status = ctx.tables.commands.local_list_status[answer.status]
    if answer.status is v16.SendLocalListResponseStatus.NotSupported:
        text = "the OCPP 1.6 station answered NotSupported: it has no local authorization list"
        return v201.SendLocalListResponse(status=status, statusInfo=info(UNSUPPORTED, text))
    return v201.SendLocalListResponse(status=status)


@down.call("GetLocalListVersion")
def get_local_list_version(request: v201.GetLocalListVersionRequest, ctx: StationContext) -> Outcome:
    return Forward("GetLocalListVersion", v16.GetLocalListVersionRequest())


@down.result("GetLocalListVersion")
def get_local_list_version_result(
    answer: v16.GetLocalListVersionResponse, request: object, ctx: StationContext, note: object
) -> v201.GetLocalListVersionResponse:
    return v201.GetLocalListVersionResponse(versionNumber=max(answer.listVersion, 0))
