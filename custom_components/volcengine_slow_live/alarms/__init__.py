"""The cameras' own alarms.

`watcher` polls the cloud's alarm lists and fires each alarm once (the event and image
entities listen); `webhook` receives the cloud's instant callbacks and makes the
watcher read at once; `history` holds a camera's complete list of the last days (the
media browser and voice count from it); `pictures` finds an alarm's picture and
`view` serves it to the media browser.
"""
