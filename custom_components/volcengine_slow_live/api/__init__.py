"""Asyncio client for Volcengine's aiotvideo (慢直播 / Slow Live) OpenAPI.

Pure library code: no Home Assistant imports, so it can be tested and reused alone.
"""
