"""Algorithm names and their normalisation."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["Algorithm", "normalize_algorithm"]

Algorithm = Literal["fixed_window", "sliding_window", "sliding_log", "gcra", "token_bucket"]
"""The rate-limit algorithms.

``fixed_window``: a counter per window started by the first hit;
``sliding_window``: a sliding window counter (the previous window weighted by its overlap);
``sliding_log``: an exact log of hits over the last window;
``gcra`` (alias ``token_bucket``): the generic cell rate algorithm, a token bucket
with ``burst``."""

CanonicalAlgorithm = Literal["fixed_window", "sliding_window", "sliding_log", "gcra"]

_ALIASES: dict[str, CanonicalAlgorithm] = {
    "fixed_window": "fixed_window",
    "fixed": "fixed_window",
    "sliding_window": "sliding_window",
    "sliding_window_counter": "sliding_window",
    "sliding_log": "sliding_log",
    "moving_window": "sliding_log",
    "gcra": "gcra",
    "token_bucket": "gcra",
}

SHORT_NAMES: dict[CanonicalAlgorithm, str] = {
    "fixed_window": "fw",
    "sliding_window": "sw",
    "sliding_log": "sl",
    "gcra": "tb",
}


def normalize_algorithm(name: str) -> CanonicalAlgorithm:
    """The canonical name of an algorithm; ``ValueError`` naming the accepted ones."""
    canonical = _ALIASES.get(name)
    if canonical is None:
        accepted = ", ".join(repr(a) for a in get_args(Algorithm))
        raise ValueError(f"unknown rate-limit algorithm {name!r}: use one of {accepted}")
    return canonical
