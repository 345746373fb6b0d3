"""A media player for development: it shows what it was sent and checks it plays.

Not part of the integration (HACS installs custom_components/ only). scripts/develop
and the end-to-end and browser tests link it into their configuration as the TV that
`play_recording`, the media browser and voice send recordings to. Unlike the demo
integration's players it looks behind every link: a link without video is refused
with an error, as a real TV would show one, instead of being "played".
"""
