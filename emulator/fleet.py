"""The Fleet, whose code has moved to `inventory` (this keeps its imports working)."""

from __future__ import annotations

from .inventory import PTZ_CAPABLE, Fleet

__all__ = ["PTZ_CAPABLE", "Fleet"]
