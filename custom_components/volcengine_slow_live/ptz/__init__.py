"""Cameras that can move (pan, tilt, zoom, presets).

`controller` moves a camera through the cloud (CloudControl) and keeps the preset
names (the cloud knows numbers only); `services` is the `ptz` and `ptz_preset`
actions; `intent` the voice intents. The button and select platforms stay at the top,
where Home Assistant looks for them, and use the controller.
"""
