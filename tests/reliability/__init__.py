"""Reliability and security tests: soak, rate limits, hostile input."""
