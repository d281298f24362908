"""The run's named random streams: NumPy's SeedSequence streams, seeded by a compiled copy of its hashing."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import model.economy.draws as draws
from model.economy.draws import RandomStreams
from model.economy.kernels import seed_sequence_state


def numpy_stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@given(
    st.integers(0, 2**160),
    st.lists(st.integers(0, 2**70), min_size=1, max_size=4),
)
def test_seed_state_is_numpys_for_any_seed_and_spawn_key(seed, key):
    entropy = draws._entropy(draws._words(seed), tuple(key))
    expected = np.random.SeedSequence(seed, spawn_key=tuple(key)).generate_state(4, np.uint64)
    assert seed_sequence_state(entropy).tobytes() == expected.tobytes()


@given(st.integers(0, 2**128), st.text(max_size=30), st.integers(0, 5_000))
def test_streams_draw_what_numpys_seed_sequence_draws(seed, name, week):
    streams = RandomStreams(seed)
    crc = zlib.crc32(name.encode())
    assert streams.weekly(name, week).random(3).tobytes() == numpy_stream(seed, crc, week).random(3).tobytes()
    assert streams.stream(name).normal(size=2).tobytes() == numpy_stream(seed, crc).normal(size=2).tobytes()
    assert (
        streams.week_of("demand", week=week)("firm").random()
        == numpy_stream(seed, zlib.crc32(b"demand.firm"), week).random()
    )


def test_streams_use_numpys_seed_sequence_if_the_compiled_hashing_ever_disagrees(monkeypatch):
    fast = RandomStreams(11).weekly("labour.hiring", 7).random(4)
    monkeypatch.setattr(draws, "_compiled_seeding_agrees", lambda: False)
    monkeypatch.setattr(draws, "seed_sequence_state", lambda entropy: pytest.fail("the compiled hashing was used"))
    assert RandomStreams(11).weekly("labour.hiring", 7).random(4).tobytes() == fast.tobytes()


def test_a_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        RandomStreams(-1)
