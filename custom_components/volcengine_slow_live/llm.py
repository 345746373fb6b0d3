"""The LLM platform: gives Assist's LLM agents the recording-replay tool."""

from __future__ import annotations

from .intent import async_get_llm_tools as async_get_tools

__all__ = ["async_get_tools"]
