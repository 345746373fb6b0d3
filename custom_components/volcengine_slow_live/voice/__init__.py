"""Voice and LLM tools beyond playing a recording.

`intent.py`, the integration's `intent` platform, handles that one and registers these
with it: `slots` is what every intent shares (finding cameras and players by name or
area), `alarms` the alarm intents.
"""
