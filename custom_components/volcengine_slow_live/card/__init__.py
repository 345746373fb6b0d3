"""The Slow Live card's side in Home Assistant.

`websocket` answers the card's questions (a window's recordings and alarms, a
playable link for a moment); `frontend` serves the card's JavaScript and registers it
with the frontend, so no dashboard resource has to be added. Imports go one way: from
here to the integration's modules, never back.
"""
