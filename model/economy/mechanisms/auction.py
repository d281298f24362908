"""Uniform-price double auction over divisible machine-hours.

Bids (buyers' limit prices and hours) and asks (sellers' reservation prices and
hours) for one process type are sorted into a demand and a supply curve; hours
trade up to the point where the curves cross, which maximises the gains from
trade (the surplus) over all feasible allocations, the same optimum as the
transportation linear program solved by ``scipy.optimize.linprog``. Walking both
curves at once pairs each stretch of hours with one buyer and one seller, so a
large request is naturally split across several sellers (one order, many
factories). All pay one price: the midpoint of the marginal pair (a
k-double auction with k = 1/2, Rustichini, Satterthwaite & Williams 1994).

Example
-------
>>> import numpy as np
>>> result = double_auction(np.array([10.0, 8.0]), np.array([5.0, 5.0]),
...                         np.array([6.0, 7.0]), np.array([4.0, 10.0]))
>>> float(result.hours.sum()), result.price
(10.0, 7.5)
>>> result.seller[result.buyer == 0]    # the first buyer is served by two sellers
array([0, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels import cross_curves

_EMPTY_INDEX = np.zeros(0, np.int64)
_EMPTY_HOURS = np.zeros(0, np.float64)


@dataclass(frozen=True)
class Clearing:
    """Result of one auction: who trades with whom, how many hours, at what price.

    ``buyer`` and ``seller`` index the bid and ask arrays given to
    :func:`double_auction`; a buyer appears once per seller that serves it.
    ``price`` is NaN when nothing trades. ``surplus`` is the sum over trades of
    hours x (bid price - ask price), in the currency of the prices.
    """

    buyer: np.ndarray
    seller: np.ndarray
    hours: np.ndarray
    price: float
    surplus: float

    @property
    def traded(self) -> bool:
        return self.hours.size > 0


def double_auction(
    bid_price: np.ndarray,
    bid_hours: np.ndarray,
    ask_price: np.ndarray,
    ask_hours: np.ndarray,
    *,
    min_hours: float = 1e-9,
) -> Clearing:
    """Clear one market of divisible hours at the surplus-maximising quantity.

    Parameters
    ----------
    bid_price, bid_hours : ndarray
        Each buyer's limit price (yuan/hour) and requested hours (>= 0).
    ask_price, ask_hours : ndarray
        Each seller's reservation price (yuan/hour) and offered hours (>= 0).
    min_hours : float
        Stretches shorter than this (floating-point slivers where the two
        cumulative curves meet) are dropped.

    Returns
    -------
    Clearing
        Trades between buyers and sellers; only pairs with bid price above ask
        price trade, and no buyer or seller trades more than it asked.
    """
    if bid_hours.size == 0 or ask_hours.size == 0:
        return Clearing(_EMPTY_INDEX, _EMPTY_INDEX, _EMPTY_HOURS, float("nan"), 0.0)
    buyer, seller, hours, gain = cross_curves(bid_price, bid_hours, ask_price, ask_hours, min_hours)
    if hours.size == 0:
        return Clearing(_EMPTY_INDEX, _EMPTY_INDEX, _EMPTY_HOURS, float("nan"), 0.0)
    price = 0.5 * (bid_price[buyer[-1]] + ask_price[seller[-1]])
    surplus = float(np.sum(hours * gain))
    return Clearing(buyer, seller, hours, float(price), surplus)
