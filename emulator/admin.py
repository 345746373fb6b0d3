"""Unauthenticated admin endpoints under `/_emulator/` (for local use only).

* `POST /_emulator/faults` (a FaultRule as JSON) -> `{"id"}`; `GET` lists them;
  `DELETE /_emulator/faults[/<id>]` removes one or all.
* `GET /_emulator/requests[?action=X]` - the API request log.
* `GET /_emulator/stats` - requests by action and status, 429s, CDN fetches.
* `POST /_emulator/reset` - clear faults, logs, rate limits; rebuild fleets.
* `POST /_emulator/channels` `{"space_id", "device_id"?, "name"?}` - add a camera.
* `DELETE /_emulator/streams/<id>` - remove a stream (and its channel).
* `POST /_emulator/streams/<id>/status` `{"status": "online"|"offline"|null}`.
* `POST /_emulator/devices/<id>/status` `{"status": "online"|"offline"}`.
* `GET /_emulator/streams/<id>/ptz` - where the channel's camera points now: the
  main stream's id, `ptz_capable`, and `emulator.ptz.Ptz.to_dict` (view, moving,
  command, presets); a sub-stream id stands for its channel.
* `POST /_emulator/clock` `{"offset": seconds}` - shift the emulator clock.
* `GET /_emulator/credentials` - base URL and the default key pair.
* `POST /_emulator/alarms` `{"stream": <StreamID or title, e.g. "Front Gate">,
  "method"?: 5, "kind"?: 2}` - the channel raises an alarm now (default: motion).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .alarms import KINDS, trigger
from .faults import FaultRule
from .fleet import PTZ_CAPABLE

if TYPE_CHECKING:
    from .callbacks import Callbacks
    from .fleet import Fleet
    from .host import Host


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(
            text='{"error": "body is not JSON"}', content_type="application/json"
        ) from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(
            text='{"error": "body must be an object"}', content_type="application/json"
        )
    return data


def admin_routes(emulator: Host, callbacks: Callbacks) -> list[web.RouteDef]:
    """The admin route table for `emulator`."""

    def fleet_with_stream(stream_id: str) -> Fleet | None:
        return next((f for f in emulator.fleets() if stream_id in f.streams), None)

    def fleet_with_device(device_id: str) -> Fleet | None:
        return next((f for f in emulator.fleets() if device_id in f.devices), None)

    async def add_fault(request: web.Request) -> web.Response:
        data = await _json(request)
        try:
            rule = FaultRule.from_dict(data)
        except ValueError as err:
            return _error(400, str(err))
        return web.json_response({"id": emulator.faults.add(rule)})

    async def list_faults(_: web.Request) -> web.Response:
        return web.json_response([r.to_dict() for r in emulator.faults.rules])

    async def clear_faults(_: web.Request) -> web.Response:
        count = len(emulator.faults.rules)
        emulator.faults.clear()
        return web.json_response({"removed": count})

    async def remove_fault(request: web.Request) -> web.Response:
        if not emulator.faults.remove(request.match_info["rule_id"]):
            return _error(404, "no such fault rule")
        return web.json_response({"removed": 1})

    async def requests(request: web.Request) -> web.Response:
        records = emulator.requests(request.query.get("action"))
        return web.json_response([r.to_dict() for r in records])

    async def stats(_: web.Request) -> web.Response:
        return web.json_response(emulator.stats())

    async def reset(_: web.Request) -> web.Response:
        emulator.reset()
        return web.json_response({"reset": True})

    async def add_channel(request: web.Request) -> web.Response:
        data = await _json(request)
        space_id = data.get("space_id") or data.get("SpaceID")
        fleet = next((f for f in emulator.fleets() if space_id in f.spaces), None)
        if fleet is None:
            return _error(404, "no such space")
        try:
            stream = fleet.add_channel(
                str(space_id),
                data.get("device_id") or data.get("DeviceID"),
                name=str(data.get("name") or "New Camera"),
            )
        except KeyError as err:
            return _error(404, str(err.args[0]))
        device = fleet.devices.get(stream.device_id or "")
        return web.json_response(
            {
                "StreamID": stream.stream_id,
                "StreamName": stream.name,
                "SpaceID": stream.space_id,
                "DeviceID": stream.device_id or "",
                "DeviceNSID": device.nsid if device is not None else "",
                "ChannelID": stream.channel_id or "",
            }
        )

    async def remove_stream(request: web.Request) -> web.Response:
        stream_id = request.match_info["stream_id"]
        fleet = fleet_with_stream(stream_id)
        if fleet is None:
            return _error(404, "no such stream")
        fleet.remove_stream(stream_id)
        return web.json_response({"removed": stream_id})

    async def stream_status(request: web.Request) -> web.Response:
        stream_id = request.match_info["stream_id"]
        fleet = fleet_with_stream(stream_id)
        if fleet is None:
            return _error(404, "no such stream")
        status = (await _json(request)).get("status")
        fleet.set_stream_status(stream_id, None if status is None else str(status))
        stream = fleet.streams[stream_id]
        return web.json_response(
            {"status": fleet.stream_status(stream, emulator.now())}
        )

    async def ptz(request: web.Request) -> web.Response:
        stream_id = request.match_info["stream_id"]
        fleet = fleet_with_stream(stream_id)
        if fleet is None:
            return _error(404, "no such stream")
        main = fleet.variant(fleet.streams[stream_id], 0) or fleet.streams[stream_id]
        channel = fleet.channel_of(main)
        return web.json_response(
            {
                "StreamID": main.stream_id,
                "ptz_capable": channel is not None and channel.ptz_type in PTZ_CAPABLE,
                **main.ptz.to_dict(emulator.now()),
            }
        )

    async def device_status(request: web.Request) -> web.Response:
        device_id = request.match_info["device_id"]
        fleet = fleet_with_device(device_id)
        if fleet is None:
            return _error(404, "no such device")
        status = (await _json(request)).get("status")
        if not isinstance(status, str) or not status:
            return _error(400, "status must be a string such as online or offline")
        fleet.set_device_status(device_id, status)
        callbacks.device_status(fleet, fleet.devices[device_id], status == "online")
        return web.json_response({"status": status})

    async def alarm(request: web.Request) -> web.Response:
        data = await _json(request)
        wanted = data.get("stream")
        method, kind = data.get("method", 5), data.get("kind", 2)
        if (method, kind) not in {(k[0], k[1]) for k in KINDS}:
            return _error(400, "unknown alarm method/kind")
        # An alarm that reached the cloud late (a device that was cut off) has the
        # time it happened: `at`, unix seconds, not in the future.
        at = data.get("at", emulator.now())
        if (
            not isinstance(at, int | float)
            or isinstance(at, bool)
            or at > emulator.now()
        ):
            return _error(400, "at must be unix seconds, not in the future")
        for fleet in emulator.fleets():
            for stream in fleet.streams.values():
                if stream.is_gb and wanted in (stream.stream_id, stream.title):
                    raised = trigger(stream, at, method=method, kind=kind)
                    callbacks.alarm(fleet, stream, raised)
                    return web.json_response(
                        {"AlarmNotifyID": raised.alarm_id, "AlarmTime": raised.at}
                    )
        return _error(404, "no GB camera with that StreamID or title")

    async def clock(request: web.Request) -> web.Response:
        offset = (await _json(request)).get("offset")
        if not isinstance(offset, (int, float)) or isinstance(offset, bool):
            return _error(400, "offset must be a number of seconds")
        emulator.clock_offset = float(offset)
        return web.json_response(
            {"offset": emulator.clock_offset, "now": emulator.now()}
        )

    async def credentials(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "base_url": emulator.base_url,
                "access_key": emulator.access_key,
                "secret_key": emulator.secret_key,
                "session_token": emulator.session_token,
                "region": emulator.config.region,
                "service": emulator.config.service,
            }
        )

    return [
        web.post("/_emulator/faults", add_fault),
        web.get("/_emulator/faults", list_faults),
        web.delete("/_emulator/faults", clear_faults),
        web.delete("/_emulator/faults/{rule_id}", remove_fault),
        web.get("/_emulator/requests", requests),
        web.get("/_emulator/stats", stats),
        web.post("/_emulator/reset", reset),
        web.post("/_emulator/channels", add_channel),
        web.delete("/_emulator/streams/{stream_id}", remove_stream),
        web.post("/_emulator/streams/{stream_id}/status", stream_status),
        web.get("/_emulator/streams/{stream_id}/ptz", ptz),
        web.post("/_emulator/devices/{device_id}/status", device_status),
        web.post("/_emulator/clock", clock),
        web.get("/_emulator/credentials", credentials),
        web.post("/_emulator/alarms", alarm),
    ]
