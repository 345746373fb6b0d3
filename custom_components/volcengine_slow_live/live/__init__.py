"""Live view: the current pull URL of a stream, the guard that keeps Home Assistant's
stream on one that plays, and the camera's stills."""
