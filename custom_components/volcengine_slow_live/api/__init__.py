"""Asyncio client for Volcengine's aiotvideo (慢直播 / Slow Live) OpenAPI.

Pure library code: no Home Assistant imports, so it can be tested and reused alone.

`client.AiotVideoClient` is what callers use: one typed method per action. It builds
on `transport.Transport` (signing by `signer`, pacing by `ratelimit`, retries, the
envelope and `errors`); `models` parses the results; `redact` is the one place that
knows what is secret. Imports go one way: `client` → `transport` → `models`,
`signer`, `ratelimit`, `errors` → `redact`; nothing in the package imports back up.
"""
