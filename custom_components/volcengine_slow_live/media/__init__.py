"""Cloud recordings in Home Assistant's media browser.

`source` is the media source (the top-level `media_source.py` is only where Home
Assistant finds it); `ids` builds and parses every identifier, `nodes` makes folders
and playable items, `titles` words them in Home Assistant's language, `alarms` is a
camera's Alarms folder. The modules here import the component's shared modules
(coordinator, playback, recorded, alarms…), never the other way round.
"""
