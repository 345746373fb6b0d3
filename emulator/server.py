"""The emulator: an aiohttp server speaking the aiotvideo OpenAPI plus its CDN.

Request pipeline for `/` (the API), in order:

1. `Action`/`Version` from the query: missing -> 400 MissingParameter, unknown
   pair -> 404 InvalidActionOrVersion (the gateway routes before it authenticates).
2. Pre-auth faults (reset_connection, timeout, clock_skew, revoked_credentials).
3. Signature verification (API notes §2.3), then the per-(AK, Action) rate limiter.
4. Post-auth faults (rate_limit, http_error, latency), then the handler.
5. Response faults (malformed_json, missing_fields, wrong_types).
6. The configured fixed `latency`, for every answer (errors included).

Only GET and POST are served; any other method gets 405 MethodNotAllowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
import json
import re
import secrets
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from aiohttp import web

from .accounts import AccountStore
from .actions import DISPATCH, NO_RESULT
from .admin import admin_routes
from .auth import Verifier, parse_raw_query
from .callbacks import Callbacks
from .cdn import Cdn, cors_middleware
from .clock import real_monotonic
from .config import EmulatorConfig
from .context import Context
from .errors import STATUS_CODES, ApiError
from .faults import POST_AUTH, PRE_AUTH, RESPONSE, FaultSet, drop_fields, wrong_types
from .fleet import Fleet
from .links import Links
from .params import Params, parse_body
from .ratelimit import RateLimiter
from .render import Renderer
from .reqlog import RequestLog, RequestRecord
from .tokens import UrlSigner

if TYPE_CHECKING:
    from types import TracebackType

    from .auth import KeyPair
    from .faults import FaultRule
    from .media import MediaFactory

_BEIJING = timezone(timedelta(hours=8))
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)")


class Emulator:
    """The emulated cloud. `async with Emulator(config) as emu:` or start()/stop()."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        """Prepare accounts, fleet, faults and logs; nothing listens yet."""
        self.config = config = config or EmulatorConfig()
        self.clock: Callable[[], float] = config.clock
        self.clock_offset = 0.0
        self.accounts = AccountStore(config.seed)
        fleet = config.fleet if config.fleet is not None else Fleet.demo(config.seed)
        self._adopt(fleet)
        self.accounts.add_account("default", fleet)
        self.key = self.accounts.add_key(
            "default",
            access_key=config.access_key,
            secret_key=config.secret_key,
            session_token=config.session_token,
        )
        self.signer = UrlSigner(f"emulator-jwt-{config.seed}-{secrets.token_hex(8)}")
        self.faults = FaultSet(config.seed, on_expire_urls=self.signer.expire_all)
        self.limiter = RateLimiter(config.rate_limit)
        self.log = RequestLog(config.request_log_size)
        self.verifier = Verifier(
            self.accounts.lookup, config.region, config.service, config.skew_window
        )
        self.links = Links(
            "http://127.0.0.1",
            "127.0.0.1",
            self.signer,
            config.url_ttl,
            config.url_refresh_fraction,
        )
        self.cdn = Cdn(self)
        self.callbacks = Callbacks(self)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.stopping = asyncio.Event()

    # ---------------------------------------------------------- lifecycle
    def _adopt(self, fleet: Fleet) -> None:
        fleet.clock = self.now
        fleet.on_demand_idle = self.config.on_demand_idle

    def now(self) -> float:
        """The emulator's wall time: the injectable clock plus `clock_offset`."""
        return self.clock() + self.clock_offset

    def stored_until(self, now: float | None = None) -> float:
        """Recordings exist up to here: `now` less the storage lag."""
        return (self.now() if now is None else now) - self.config.storage_lag

    def build_app(self) -> web.Application:
        """The aiohttp application (API, CDN and admin routes)."""
        app = web.Application(
            middlewares=[cors_middleware], client_max_size=8 * 1024 * 1024
        )
        app.router.add_route("*", "/", self._api)
        app.router.add_routes(self.cdn.routes())
        app.router.add_routes(admin_routes(self, self.callbacks))
        return app

    async def start(self) -> None:
        """Listen (on the configured port, or the one used before a restart)."""
        if self._runner is not None:
            return
        self.stopping = asyncio.Event()
        # handler_cancellation: a client that gives up cancels its handler (the
        # `timeout` fault and FLV streams rely on it).
        runner = web.AppRunner(
            self.build_app(),
            handler_cancellation=True,
            access_log=None,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        port = self._port if self._port is not None else self.config.port
        site = web.TCPSite(runner, self.config.host, port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        server = site._server  # noqa: SLF001  # the only way to learn an ephemeral port
        assert isinstance(server, asyncio.Server)  # noqa: S101
        self._port = server.sockets[0].getsockname()[1]
        public = self.config.public_url or self.base_url
        self.links.base_url = public.rstrip("/")
        self.links.rtmp_host = urlsplit(public).hostname or self.config.host
        await self.callbacks.start()

    async def stop(self) -> None:
        """Stop listening; held requests and FLV streams end first."""
        if self._runner is None:
            return
        self.stopping.set()
        runner, self._runner = self._runner, None
        await self.callbacks.stop()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the emulator."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the emulator."""
        await self.stop()

    @property
    def port(self) -> int:
        """The port listened on (after start())."""
        if self._port is None:
            raise RuntimeError("the emulator has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """`http://host:port` of the API (and CDN)."""
        return f"http://{self.config.host}:{self.port}"

    # ---------------------------------------------------------- accounts
    @property
    def access_key(self) -> str:
        """The default account's first access key."""
        return self.key.access_key

    @property
    def secret_key(self) -> str:
        """The default account's first secret key."""
        return self.key.secret_key

    @property
    def session_token(self) -> str | None:
        """The default key's STS token, if it has one."""
        return self.key.session_token

    @property
    def fleet(self) -> Fleet:
        """The default account's fleet."""
        return self.accounts.accounts["default"].fleet

    def add_key(
        self, account: str = "default", session_token: str | None = None
    ) -> tuple[str, str]:
        """Add a (rotated) key pair to `account`; return (ak, sk)."""
        pair = self.accounts.add_key(account, session_token=session_token)
        return pair.access_key, pair.secret_key

    def add_account(self, name: str, fleet: Fleet) -> tuple[str, str]:
        """Add an account owning `fleet` (use another seed than the default fleet's)."""
        self._adopt(fleet)
        self.accounts.add_account(name, fleet)
        return self.add_key(name)

    def revoke(self, access_key: str) -> None:
        """Revoke a key: it answers InvalidAccessKey from now on."""
        self.accounts.revoke(access_key)

    def fleets(self) -> list[Fleet]:
        """Every account's fleet (the CDN serves them all)."""
        return [a.fleet for a in self.accounts.accounts.values()]

    # ----------------------------------------------------------- logging
    def requests(self, action: str | None = None) -> list[RequestRecord]:
        """Logged API requests (optionally of one action), oldest first."""
        return self.log.requests(action)

    def count(self, action: str | None = None, status: int | None = None) -> int:
        """How many logged API requests match the action and/or status."""
        return self.log.count(action, status)

    def cdn_count(self, kind: str | None = None, status: int | None = None) -> int:
        """How many CDN fetches match the kind and/or status."""
        return self.log.cdn_count(kind, status)

    def stats(self) -> dict[str, Any]:
        """Counters: requests by action and status, 429s, CDN fetches."""
        return self.log.stats()

    def reset(self) -> None:
        """Clear faults, logs and rate-limit history; rebuild generated fleets."""
        self.faults.clear()
        self.log.clear()
        self.limiter.reset()
        for fleet in self.fleets():
            if fleet._recipe is not None:  # noqa: SLF001  # hand-built fleets stay as they are
                fleet.reset()

    def add_fault(self, rule: FaultRule) -> str:
        """Shorthand for `faults.add(rule)`."""
        return self.faults.add(rule)

    @property
    def media(self) -> MediaFactory:
        """The shared MediaFactory (made on first use)."""
        return self.cdn.media

    # -------------------------------------------------------------- API
    def _request_id(self) -> str:
        stamp = datetime.fromtimestamp(self.now(), _BEIJING).strftime("%Y%m%d%H%M%S")
        return f"{stamp}{secrets.token_hex(9).upper()}"

    def _envelope(
        self, request_id: str, action: str | None, version: str | None
    ) -> dict[str, Any]:
        return {
            "RequestId": request_id,
            "Action": action or "",
            "Version": version or "",
            "Service": self.config.service,
            "Region": self.config.region,
        }

    async def _api(self, request: web.Request) -> web.StreamResponse:
        started = real_monotonic()
        received_at = self.now()
        request_id = self._request_id()
        raw_query = request.rel_url.raw_query_string
        query: dict[str, str] = {}
        for key, value in parse_raw_query(raw_query):
            query.setdefault(key, value)
        action, version = query.get("Action"), query.get("Version")
        body = await request.read()
        parsed, well_formed = parse_body(body, request.headers.get("Content-Type", ""))
        params = Params(parsed, query)
        access_key: str | None = None
        status, code = 0, None
        try:
            try:
                response, access_key = await self._pipeline(
                    _Incoming(
                        request=request,
                        request_id=request_id,
                        action=action,
                        version=version,
                        params=params,
                        raw_query=raw_query,
                        body=body,
                        well_formed=well_formed,
                    )
                )
            except ApiError as err:
                if err.code == "InvalidTimestamp":
                    err.status = self.config.invalid_timestamp_status
                response = self._error_response(request_id, action, version, err)
                code = err.code
            except _ConnectionDroppedError:
                # The transport is gone; aiohttp drops whatever is returned.
                return web.Response(status=499)
            status = response.status
            if self.config.latency > 0:
                await asyncio.sleep(self.config.latency)
            return response
        finally:
            if access_key is None:
                found = _CREDENTIAL_RE.search(request.headers.get("Authorization", ""))
                access_key = found.group(1) if found else None
            self.log.record_api(
                RequestRecord(
                    time=received_at,
                    access_key=access_key,
                    action=action,
                    version=version,
                    method=request.method,
                    params=params.merged(),
                    status=status,
                    code=code,
                    request_id=request_id,
                    duration=real_monotonic() - started,
                )
            )

    async def _pipeline(self, incoming: _Incoming) -> tuple[web.Response, str | None]:
        request, action, version = incoming.request, incoming.action, incoming.version
        params, request_id = incoming.params, incoming.request_id
        if request.method not in ("GET", "POST"):
            raise ApiError(
                "MethodNotAllowed", f"Method {request.method} is not allowed."
            )
        if not action or not version:
            raise ApiError(
                "MissingParameter", "The Action and Version parameters are required."
            )
        handler = DISPATCH.get((action, version))
        if handler is None:
            raise ApiError(
                "InvalidActionOrVersion",
                f"Could not find operation {action} for version {version}",
            )
        merged = params.merged()
        skew = 0.0
        for rule in self.faults.take(PRE_AUTH, action, merged):
            skew += await self._pre_auth_fault(request, rule)
        key: KeyPair = self.verifier.verify(
            method=request.method,
            raw_query=incoming.raw_query,
            headers=request.headers,
            body=incoming.body,
            now=self.now() + skew,
        )
        if not self.limiter.allow(key.access_key, action):
            raise ApiError(
                "FlowLimitExceeded", "Request was denied due to request throttling."
            )
        for rule in self.faults.take(POST_AUTH, action, merged):
            await self._post_auth_fault(rule)
        if not incoming.well_formed:
            raise ApiError(
                "InvalidParameter.Body", "The request body is not a JSON object."
            )
        fleet = self.accounts.fleet_for(key)
        now = self.now()
        ctx = Context(
            fleet=fleet,
            now=now,
            links=self.links,
            render=Renderer(
                fleet, self.links, now, quirks=self.config.quirks, seed=self.config.seed
            ),
            detail_delay=self.config.detail_delay,
            offline_status=self.config.device_offline_status,
            stored_until=self.stored_until(now),
        )
        result = await handler(ctx, params)
        payload: dict[str, Any] = {
            "ResponseMetadata": self._envelope(request_id, action, version)
        }
        if result is not NO_RESULT:
            payload["Result"] = result
        response_faults = self.faults.take(RESPONSE, action, merged)
        text = None
        for rule in response_faults:
            if rule.kind == "missing_fields" and "Result" in payload:
                payload["Result"] = drop_fields(
                    payload["Result"], rule.fields, self.faults.random()
                )
            elif rule.kind == "wrong_types" and "Result" in payload:
                payload["Result"] = wrong_types(payload["Result"], rule.fields)
            elif rule.kind == "malformed_json":
                full = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                text = full[: max(1, len(full) // 2)]
        if text is None:
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return _json_response(text, 200), key.access_key

    async def _pre_auth_fault(self, request: web.Request, rule: FaultRule) -> float:
        """Apply a pre-auth fault; return a clock skew to add (clock_skew)."""
        if rule.kind == "reset_connection":
            transport = request.transport
            if transport is not None:  # pragma: no branch - set while handling
                transport.abort()
            raise _ConnectionDroppedError
        if rule.kind == "timeout":
            hold = (
                rule.seconds if rule.seconds is not None else self.config.timeout_hold
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), hold)
            raise ApiError(
                "InternalServiceTimeout",
                rule.message or "The backend service timed out.",
            )
        if rule.kind == "clock_skew":
            return rule.seconds or 0.0
        raise ApiError(
            "InvalidAccessKey", rule.message or "The access key has been revoked."
        )

    @staticmethod
    async def _post_auth_fault(rule: FaultRule) -> None:
        if rule.kind == "latency":
            await asyncio.sleep(rule.seconds if rule.seconds is not None else 1.0)
            return
        if rule.kind == "rate_limit":
            raise ApiError(
                "FlowLimitExceeded",
                rule.message or "Request was denied due to request throttling.",
            )
        status = rule.status or 500
        code = rule.code or STATUS_CODES.get(status, "InternalError")
        raise ApiError(code, rule.message or f"Injected fault ({code}).", status=status)

    def _error_response(
        self, request_id: str, action: str | None, version: str | None, err: ApiError
    ) -> web.Response:
        meta = self._envelope(request_id, action, version)
        meta["Error"] = err.error_body()
        text = json.dumps(
            {"ResponseMetadata": meta}, ensure_ascii=False, separators=(",", ":")
        )
        return _json_response(text, err.status)


@dataclass(frozen=True, slots=True)
class _Incoming:
    """What the API handler read from one request."""

    request: web.Request
    request_id: str
    action: str | None
    version: str | None
    params: Params
    raw_query: str
    body: bytes
    well_formed: bool


class _ConnectionDroppedError(Exception):
    """The reset_connection fault closed the transport; nothing is answered."""


def _json_response(text: str, status: int) -> web.Response:
    return web.Response(
        text=text, status=status, content_type="application/json", charset="utf-8"
    )
