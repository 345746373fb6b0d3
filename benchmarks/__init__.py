"""Benchmarks of the integration against the emulator (`python -m benchmarks.run`)."""
