"""Live view: the current pull URL of a stream, and what keeps it playing.

The source (`source`), the guard of Home Assistant's stream (`guard`), the relay
that go2rtc pulls (`relay`, `playlist`) and the camera's stills (`stills`).
"""
