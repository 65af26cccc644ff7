"""Prepare each completion once per batch, whichever rewards score it.

ms-swift calls each ``scifi_*`` reward in turn on the same list of completions in one GRPO step (and TRL
does the same with its reward functions). :func:`prepare_view` keeps the :class:`TextView` of each recent
completion, with what scorers derived from it (word/sentence/paragraph profile, the shared pattern scan), so
the second to fifth reward reuse the first one's preparation. Keyed by the completion string itself
(dict lookup checks identity first, then content) with the language and cut length; bounded LRU that grows
to hold the largest batch seen (up to ``MAX_ENTRIES``), so one batch never evicts itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from .fluency import declared_lang
from .inputs import as_lang, as_text, completion_text
from .length import full_units, longwriter_count
from .view import TextView

BASE_ENTRIES = 1024  # views kept at least (about 50 KB each for a 4,000-character completion)
MAX_ENTRIES = 16_384  # the most views kept, however large the batch


class ViewCache:
    """A bounded LRU of prepared views; thread-safe. ``enabled = False`` prepares every call afresh."""

    def __init__(self, capacity: int = BASE_ENTRIES):
        self.capacity = capacity
        self.enabled = True
        self.hits = self.misses = 0
        self._views: OrderedDict[tuple[str, str | None, int], TextView] = OrderedDict()
        self._lock = threading.Lock()

    def fit(self, batch: int) -> None:
        """Make room for a batch of ``batch`` completions (capacity never shrinks, never above the cap)."""
        self.capacity = min(MAX_ENTRIES, max(self.capacity, batch))

    def get(self, completion: Any, lang: Any, max_chars: int) -> TextView:
        """The view of ``completion`` (normalised by :func:`inputs.as_text`), from the cache when there."""
        if not self.enabled:
            return _new_view(completion, lang, max_chars)
        # a string completion is its own key: no normalising on a hit (the language is read as given);
        # anything else (and a string to be cut, so the cut is warned) is keyed by its normalised text
        raw = isinstance(completion, str) and len(completion) <= max_chars
        key = (completion if raw else as_text(completion, max_chars), lang, max_chars)
        with self._lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
                self.hits += 1
                return view
        view = _new_view(completion, lang, max_chars)
        with self._lock:
            self.misses += 1
            self._views[key] = view
            while len(self._views) > self.capacity:
                self._views.popitem(last=False)
        return view

    def clear(self) -> None:
        with self._lock:
            self._views.clear()
            self.hits = self.misses = 0


def _new_view(completion: Any, lang: Any, max_chars: int) -> TextView:
    """A view of the completion cut to ``max_chars``; when cut, the length reward still sees the length of the
    whole completion (LongWriter units, recorded under :func:`length.full_units`)."""
    text = as_text(completion, max_chars)  # think block removed, cut to max_chars
    lang = as_lang(lang)
    view = TextView(text, lang, stripped=True)
    if lang:
        view.derived[declared_lang] = lang  # the fluency gate's script check compares against it
    if len(text) >= max_chars:  # maybe cut: count the whole completion
        full = completion_text(completion)
        if full is not None and len(full) > max_chars:
            view.derived[full_units] = longwriter_count(full)
    return view


VIEWS = ViewCache()


def prepare_view(completion: Any, lang: Any, max_chars: int) -> TextView:
    """The shared :class:`TextView` of a completion (any form :func:`inputs.completion_text` reads)."""
    return VIEWS.get(completion, lang if isinstance(lang, str) or lang is None else str(lang), max_chars)
