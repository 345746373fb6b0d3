"""A small least-recently-used map, for the media caches (clips, stills, painters, tiles)."""

from __future__ import annotations

from collections import OrderedDict


class Lru[K, V]:
    """A small least-recently-used map; callers do the locking."""

    def __init__(self, size: int) -> None:
        """Keep at most `size` items (0 keeps none)."""
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        """Return how many items are kept."""
        return len(self._items)

    def get(self, key: K) -> V | None:
        """Return the value of `key` (None if not kept) and mark it recently used."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep `value` under `key`, dropping the least recently used beyond the size."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
