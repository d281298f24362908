"""Random numbers: the run's named streams, and draws shaped for common random numbers."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from scipy.special import betaincinv

from .kernels import seed_sequence_state


class RandomStreams:
    """Independent random generators named by what they draw, derived from the seed and the name.

    A change to one mechanism's draws does not shift another's, and weekly streams
    start afresh each week, so two scenarios run on the same seed share their
    random numbers wherever, and whenever, they share mechanisms.

    Stream ``name`` of ``week`` is NumPy's PCG64 seeded by
    ``SeedSequence(seed, spawn_key=(crc32(name), week))`` (without the week for
    the set-up streams); the seed state is computed by a compiled copy of
    SeedSequence's hashing (:func:`model.economy.kernels.seed_sequence_state`),
    a fifth of the cost, with exactly NumPy's result (checked once per process;
    NumPy's own SeedSequence is used if they ever differ).

    Example
    -------
    >>> streams = RandomStreams(7)
    >>> same = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(zlib.crc32(b"demand.firm"), 3)))
    >>> bool(streams.weekly("demand.firm", 3).random() == same.random())
    True
    """

    def __init__(self, seed: int):
        self.seed = seed
        self._seed_words = _words(seed)
        self._name_words: dict[str, int] = {}

    def stream(self, name: str) -> np.random.Generator:
        """A fresh generator for the attribute ``name``; the same name gives the same draws."""
        return self._generator(name, ())

    def weekly(self, name: str, week: int) -> np.random.Generator:
        """A fresh generator for the draws named ``name`` in ``week``: row ``i`` always gets the ``i``-th draw."""
        return self._generator(name, (week,))

    def week_of(self, mechanism: str, *, week: int) -> Callable[[str], np.random.Generator]:
        """``name -> weekly("mechanism.name", week)``: a mechanism's named streams for one week."""
        return lambda name: self.weekly(f"{mechanism}.{name}", week)

    def _generator(self, name: str, weeks: tuple[int, ...]) -> np.random.Generator:
        name_word = self._name_words.get(name)
        if name_word is None:
            name_word = self._name_words[name] = zlib.crc32(name.encode())
        if not _compiled_seeding_agrees():
            return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(name_word, *weeks)))
        state = seed_sequence_state(_entropy(self._seed_words, (name_word, *weeks)))
        return np.random.Generator(np.random.PCG64(_GeneratedState(state)))


_POOL_WORDS = 4


def _words(value: int) -> list[int]:
    """A non-negative integer's 32-bit words, least significant first (at least one), as SeedSequence splits it."""
    if value < 0:
        raise ValueError(f"a seed must be a non-negative integer, got {value}")
    words = [value & 0xFFFFFFFF]
    value >>= 32
    while value:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
    return words


def _entropy(seed_words: list[int], spawn_key: tuple[int, ...]) -> np.ndarray:
    """What SeedSequence assembles from a seed and a spawn key: the seed's words, padded with zeros to four
    (as SeedSequence pads them when a spawn key follows), then each part of the key's words."""
    padding = [0] * (_POOL_WORDS - len(seed_words))
    return np.array(seed_words + padding + [word for part in spawn_key for word in _words(part)], np.uint64)


class _GeneratedState(ISeedSequence):
    """A seed sequence whose PCG64 seed state is already generated (see :func:`seed_sequence_state`)."""

    def __init__(self, state: np.ndarray):
        self.state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words != _POOL_WORDS or np.dtype(dtype) != np.uint64:
            raise ValueError("this seed state seeds a PCG64 only (four 64-bit words)")
        return self.state


@cache
def _compiled_seeding_agrees() -> bool:
    """Whether the compiled seeding gives NumPy's SeedSequence state, on seeds of one to five words."""
    for seed in (0, 1, 2**32 - 1, 2**40 + 7, 2**127 + 3, 2**150 + 11):
        for key in ((0,), (zlib.crc32(b"a"), 519), (2**31, 2**33)):
            expected = np.random.SeedSequence(seed, spawn_key=key).generate_state(_POOL_WORDS, np.uint64)
            if not np.array_equal(seed_sequence_state(_entropy(_words(seed), key)), expected):
                return False
    return True


def mean_one_lognormal(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Lognormal factors with mean exactly 1 in expectation."""
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, shape))


def beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Beta draws with the given means; a mean of exactly 0 or 1 gives exactly 0 or 1.

    Drawn by inverting the CDF of one uniform per firm, so a firm keeps its rank
    (its quantile) whatever the mean: common random numbers across scenarios.
    """
    inner = (mean > 0.0) & (mean < 1.0)
    safe_mean = np.where(inner, mean, 0.5)
    quantile = rng.random(mean.shape)
    draws = betaincinv(safe_mean * concentration, (1.0 - safe_mean) * concentration, quantile)
    return np.where(inner, draws, mean).astype(np.float64)
