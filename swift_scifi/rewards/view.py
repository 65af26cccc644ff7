"""One completion prepared once and shared by every scorer: think block stripped, language, length, and the
units of :mod:`swift_scifi.text.profile` (word hashes, sentence lengths and openings, paragraph stats)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np

from ..text import profile, strip_think

T = TypeVar("T")
_MISSING = object()


class cached_property(Generic[T]):  # noqa: N801 - used as functools.cached_property
    """``functools.cached_property`` without its per-instance lock (Python 3.11 takes one on every first
    access: about twice the cost here, where a view is prepared by one thread). The value is stored in the
    instance ``__dict__``, which later reads find before this (non-data) descriptor."""

    def __init__(self, fn: Callable[[Any], T]):
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Paragraphs(NamedTuple):
    """Paragraph lengths (characters, whitespace normalised), content hashes and inner-space counts."""

    lengths: np.ndarray
    hashes: np.ndarray
    spaces: np.ndarray


class Sentences(NamedTuple):
    """Sentence lengths (characters, stripped) and opening hashes (0 = no opening)."""

    lengths: np.ndarray
    openings: np.ndarray


class TextView:
    """Lazily computed views of one completion. ``text`` has any ``<think>`` block removed.

    The views below are declared here (``cached_property``); anything a scorer derives from the text and
    wants to share with other scorers goes through :meth:`derive`, which keeps it in the explicit
    ``derived`` cache (e.g. the one pattern scan of :mod:`scan`, the narration counts of
    :mod:`principle_checks`), never in ad-hoc attributes.
    """

    __slots__ = ("text", "lang", "derived", "__dict__")  # __dict__ holds the cached_property values only

    def __init__(self, text: str, lang: str | None = None, *, stripped: bool = False):
        """``stripped``: ``text`` has had its think block removed already (:func:`strip_think`)."""
        self.text = (text if stripped else strip_think(text)) if text else ""
        self.derived: dict[Callable[[TextView], Any], Any] = {}
        if lang:
            self.lang = lang
        else:  # detect_lang's rule on the first 1,000 characters, from the shared pass
            _, cjk, latin, *_ = self._words
            self.lang = "zh" if cjk > 0 and cjk * 4 >= latin else "en"

    @cached_property
    def lower(self) -> str:
        """Lower-cased text; same length as ``text`` (falls back to ``text`` when lowering changes length)."""
        if not self._words[4]:  # no character that lower-casing could change
            return self.text
        upper = self._words[6]  # A-Z count when only those can change, else -1
        if upper == 0:
            return self.text
        if upper > 0 and self.lang == "en":
            # bytes.lower on the UTF-8 is the same string, about 2x faster than str.lower on a text with
            # curly quotes or dashes (CPython's non-ASCII path; str.lower is faster on Chinese)
            return self.text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
        low = self.text.lower()
        return low if len(low) == len(self.text) else self.text

    @cached_property
    def codepoints(self) -> np.ndarray:
        """The text as a uint32 array of code points."""
        return profile.codepoints(self.text)

    @cached_property
    def _words(self) -> tuple[int, int, int, np.ndarray, int, np.ndarray, int, np.ndarray]:
        return profile.words(self.codepoints)

    @property
    def cjk_count(self) -> int:
        return int(self._words[0])

    @property
    def word_hashes(self) -> np.ndarray:
        """uint64 hashes of the English words (``WORD_RE``), lower-cased, in order."""
        return self._words[3]

    @property
    def word_flags(self) -> np.ndarray:
        """uint8 per word of :attr:`word_hashes`: the ``profile.WORD_*`` bits (digits, Latin letters, capitals,
        an ideograph on either side)."""
        return self._words[7]

    @cached_property
    def length(self) -> int:
        """字 + English words (LongWriter's unit); equals ``swift_scifi.text.count_length(text)``."""
        return self.cjk_count + len(self.word_hashes)

    @cached_property
    def paragraphs(self) -> Paragraphs:
        """Blank-line blocks (whitespace collapsed; zh drops it), or stripped lines when there is one block."""
        return Paragraphs(*profile.paragraphs(self.codepoints, self.lang == "zh"))

    @cached_property
    def sentences(self) -> Sentences:
        """The sentences of ``split_sentences(text, lang)``, as lengths and opening hashes."""
        return Sentences(*profile.sentences(self.codepoints, self.lang == "zh"))

    @cached_property
    def _marks(self) -> dict[str, int]:
        return dict(zip(profile.MARK_KEYS, self._words[5].tolist(), strict=True))

    def derive(self, fn: Callable[[TextView], T]) -> T:
        """``fn(self)``, computed once per view and shared by every scorer that asks for the same ``fn``."""
        value = self.derived.get(fn, _MISSING)
        if value is _MISSING:
            value = self.derived[fn] = fn(self)
        return value

    def count(self, sub: str) -> int:
        """``text.count(sub)``; the punctuation marks of ``profile.MARK_KEYS`` (single marks, doubled and tripled
        dots, dashes, backticks) come from one shared pass."""
        n = self._marks.get(sub) if len(sub) <= 3 else None
        return self.text.count(sub) if n is None else n
