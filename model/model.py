"""The shared-manufacturing economy as a Mesa model.

Example
-------
>>> from model import SharedManufacturingModel, load_scenario
>>> economy = SharedManufacturingModel(load_scenario("scenarios/sharing.yaml"), seed=7)
>>> economy.run(4)
>>> table = economy.datacollector.get_model_vars_dataframe()
>>> len(table)                     # step 0 plus four weeks
5
"""

from __future__ import annotations

import itertools
import zlib
from functools import partial
from pathlib import Path

import mesa
import networkx as nx
import numpy as np

from agents import SME, LargeFirm, MicroEntrepreneur, Platform

from . import demand, investment, metrics, platforms, production, trade
from .market_graph import MarketGraph
from .population import create_firms, supply_partners
from .scenario import Scenario, load_scenario
from .state import LARGE, MICRO, Trades

_FIRM_CLASSES = {LARGE: LargeFirm, MICRO: MicroEntrepreneur}


class RandomStreams:
    """One independent random generator per mechanism, derived from the seed and the mechanism's name.

    A change to one mechanism's draws does not shift another's, so two scenarios
    run on the same seed share their random numbers wherever they share mechanisms.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.demand = self.stream("demand")
        self.trade = self.stream("trade")

    def stream(self, name: str) -> np.random.Generator:
        """A fresh generator for the mechanism or attribute ``name``; the same name gives the same draws."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),)))


class SharedManufacturingModel(mesa.Model):
    """Large firms, SMEs, micro-entrepreneurs and platforms trading machine-hours, one week per step.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        A validated scenario (see :func:`model.load_scenario`) or the path of a
        scenario file. Defaults to the built-in defaults.
    seed : int, optional
        Seeds every random draw of the run. ``None`` draws a fresh seed, kept in
        ``model.seed`` so the run can be repeated.

    Attributes
    ----------
    firms, platforms : FirmTable, PlatformTable
        The state arrays, one row per agent.
    firm_agents, platform_agents : list
        The Mesa agents, one per row (``model.agents_by_type[SME]`` works too).
    datacollector : mesa.DataCollector
        One row per step from step 0, with the columns of :data:`model.metrics.COLUMNS`.
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, seed: int | None = None):
        if scenario is None:
            scenario = Scenario()
        elif not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        super().__init__(seed=seed)
        self.seed = int(seed)
        self.scenario = scenario
        self.streams = RandomStreams(self.seed)
        self._next_id = itertools.count(1)

        self.firms = create_firms(
            scenario, scenario.platforms.count, lambda name: self.streams.stream(f"population.{name}")
        )
        self.partner_edges = trade.PartnerEdges.from_links(*supply_partners(self.firms, scenario))
        # Creating the handles loops over firms once, at set-up; no step does.
        self.firm_agents = [
            _FIRM_CLASSES.get(kind, SME)(self, row) for row, kind in enumerate(self.firms.kind.tolist())
        ]
        self.firms.node_id[:] = [agent.unique_id for agent in self.firm_agents]
        self.platform_agents = [Platform(self, row) for row in range(scenario.platforms.count)]
        self.platforms = platforms.create_platforms(
            scenario, np.array([agent.unique_id for agent in self.platform_agents], np.int64)
        )
        self.sector_shock = np.zeros(scenario.size.process_types)
        self._market = MarketGraph(self.firms, self.platforms, self.partner_edges.buyer, self.partner_edges.seller)
        self.last_trades = Trades.empty()

        platforms.update_size(self.firms, self.platforms, scenario)
        self.week_metrics = metrics.measure(self.firms, self.platforms, self.last_trades)
        self.week_metrics.update(metrics.measure_capital(self.firms, np.zeros(1), scenario.investment))
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_metric, name=name) for name in metrics.COLUMNS}
        )
        self.datacollector.collect(self)

    def next_agent_id(self) -> int:
        """A fresh ``unique_id`` for a new agent of this model."""
        # Mesa 3.3's class-level id counter holds a reference to every model ever
        # built (mesa#3179); this model numbers its own agents and drops that entry.
        mesa.Agent._ids.pop(self, None)
        return next(self._next_id)

    def step(self) -> None:
        """One week: orders, own production, trade, books, then investment and platform reviews."""
        week = self.steps
        firms, market, scenario = self.firms, self.platforms, self.scenario
        firms.reset_week()
        platforms.update_size(firms, market, scenario)
        demand.place_orders(
            firms,
            self.sector_shock,
            platforms.platform_reach(firms, market),
            week,
            scenario.demand,
            self.streams.demand,
        )
        need_hours, offer_hours = production.serve_own_orders(firms)
        partner_trades = trade.trade_with_partners(
            firms, self.partner_edges, need_hours, offer_hours, scenario, self.streams.trade
        )
        platform_trades, platform_week = trade.clear_platforms(
            firms, market, need_hours, offer_hours, scenario, self.streams.trade
        )
        trades = Trades.concat([partner_trades, platform_trades])
        platforms.charge_fees(firms, market)
        production.book_week(firms, trades, offer_hours, scenario)
        platforms.record_platform_week(firms, market, trades, platform_week, scenario)
        self.week_metrics = metrics.measure(firms, market, trades)

        bought, _ = investment.review_machines(firms, week, scenario.investment)
        joined, left = platforms.review_memberships(firms, market, week, scenario)
        self.week_metrics.update(metrics.measure_capital(firms, bought, scenario.investment))
        self._market.record_week(trades, joined, left)
        self.last_trades = trades
        self.datacollector.collect(self)

    def run(self, weeks: int | None = None) -> None:
        """Play ``weeks`` weeks (default: the scenario's ``steps``)."""
        for _ in range(self.scenario.steps if weeks is None else weeks):
            self.step()

    @property
    def market_graph(self) -> nx.DiGraph:
        """Firms and platforms as nodes; memberships and cumulative trades as edges (see :mod:`model.market_graph`)."""
        return self._market.graph

    @property
    def supply_network(self) -> nx.Graph:
        """The off-platform partner network, with each link's current ``trust`` (mean of both directions)."""
        edges = self.partner_edges
        half = edges.buyer.size // 2
        trust = 0.5 * (edges.trust[:half] + edges.trust[half:])
        graph = nx.Graph()
        graph.add_nodes_from(self.firms.node_id.tolist())
        graph.add_weighted_edges_from(
            zip(
                self.firms.node_id[edges.buyer[:half]].tolist(),
                self.firms.node_id[edges.seller[:half]].tolist(),
                trust.tolist(),
            ),
            weight="trust",
        )
        return graph


def _read_metric(model: SharedManufacturingModel, name: str) -> float:
    return model.week_metrics[name]
