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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

try:
    from agents import SME, LargeFirm, MicroEntrepreneur, Platform, PublicLab
except ImportError as error:  # another distribution's top-level ``agents`` package shadows this project's
    import agents as _shadowing

    raise ImportError(
        f"the 'agents' package imported from {getattr(_shadowing, '__file__', None) or _shadowing.__path__} is not "
        "this model's (it has no LargeFirm, SME, MicroEntrepreneur, Platform): another installed distribution ships "
        "a top-level 'agents' package. Install this model in its own virtual environment, or uninstall the other "
        "(pip show -f <name> tells which one it is)."
    ) from error

from . import mesa_compat, metrics
from .draws import RandomStreams
from .kernels import any_in_rows
from .ledger import Ledger
from .market_graph import MarketGraph
from .mechanisms import (
    accounts,
    demand,
    digital,
    investment,
    labour,
    occupation,
    open_data,
    platform_entry,
    platforms,
    production,
    products,
    public_labs,
    shocks,
    supervision,
    trade,
)
from .panel import FirmPanel
from .population import create_firms, create_public_labs, link_entrants, supply_partners
from .scenario import Scenario
from .scenario_files import load_scenario, with_changes
from .state import LARGE, MICRO, PUBLIC_LAB, ContractBook, PartnerEdges, Trades, TradeWeek
from .state import SME as SME_KIND

_FIRM_CLASSES = {LARGE: LargeFirm, MICRO: MicroEntrepreneur, PUBLIC_LAB: PublicLab}


class SharedManufacturingModel(mesa.Model):
    """Large firms, SMEs, micro-entrepreneurs and platforms trading machine-hours, one week per step.

    Parameters
    ----------
    scenario : Scenario, str or Path, optional
        A validated scenario (see :func:`model.load_scenario`) or the path of a
        scenario file. Defaults to the built-in defaults. (A Mesa scenario, as
        Mesa's SolaraViz passes on a reset, is read as a seed and overrides.)
    seed : int, optional
        Seeds every random draw of the run. ``None`` draws a fresh seed, kept in
        ``model.seed`` (and collected in the ``seed`` column) so the run can be repeated.
    rng : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Mesa's name for the seed: an integer is the seed; a generator or seed
        sequence gives one. Pass ``seed`` or ``rng``, not both.
    keep_order_books : bool, optional
        Keep each week's platform order books in ``model.order_books`` (a list of
        :class:`model.economy.mechanisms.trade.OrderBook`), to take the clearing apart.
    firm_panel : bool, optional
        Keep one row per firm per week (:meth:`firm_panel`), as Mesa's agent
        reporters would, at no cost when off.
    **parameters
        Dotted parameter keys applied on top of ``scenario``, e.g.
        ``**{"platforms.commission_rate": 0.1}``, so that ``mesa.batch_run`` can
        sweep them like any Mesa model's parameters.

    Attributes
    ----------
    params : Scenario
        Every parameter of this run, validated (changed by interventions as the run goes).
    scenario
        Mesa's record of the run: ``rng`` (the seed) and the keyword ``parameters``
        (a ``mesa.experimental.scenarios.Scenario`` on Mesa 3.4+, a namespace on 3.3).
    seed : int
        The seed of every random stream of the run.
    firms, platforms : FirmTable, PlatformTable
        The state arrays, one row per agent (a firm that exits keeps its row, inactive).
    workers : WorkerTable
        The labour pool, one row per worker (array state, not agents).
    labour_market : LabourMarket
        This week's labour-market statistics per skill.
    ledger : Ledger
        Every payment, payer sector to payee sector, by kind (:mod:`model.economy.ledger`).
    firm_agents, platform_agents : list
        The Mesa agents, one per row (``model.agents_by_type[SME]`` holds the active ones).
    datacollector : mesa.DataCollector
        One row per step from step 0, with the columns of :data:`model.economy.metrics.COLUMNS` and ``seed``.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: int | np.random.SeedSequence | np.random.Generator | None = None,
        keep_order_books: bool = False,
        firm_panel: bool = False,
        **parameters: Any,
    ):
        if mesa_compat.is_run_record(scenario):
            record_seed, record_parameters = mesa_compat.read_run_record(scenario)
            scenario, parameters = None, {**record_parameters, **parameters}
            if seed is None and rng is None:
                rng = record_seed
        scenario = load_scenario(scenario, parameters) if parameters or not isinstance(scenario, Scenario) else scenario
        seed = choose_seed(seed, rng)
        record = mesa_compat.run_record(seed, parameters)
        if mesa_compat.MESA_HAS_SCENARIOS:
            super().__init__(rng=seed, scenario=record)
        else:
            super().__init__(rng=seed)
            self.scenario = record
        self.seed = seed
        self.params = scenario
        self._agent_numbers = itertools.count(1)
        self.streams = RandomStreams(self.seed)

        platform_rows = platform_entry.platform_rows(scenario)  # launched, and room for entrants
        self.firms = create_firms(scenario, platform_rows, lambda name: self.streams.stream(f"population.{name}"))
        self.partner_edges = PartnerEdges.from_links(*supply_partners(self.firms, scenario))
        self.workers = labour.create_pool(self.firms, scenario, lambda name: self.streams.stream(f"workers.{name}"))
        self.labour_market = labour.initial_market(self.workers, scenario)
        # Public labs come after the firms' network and labour pool: they have no partners and no staff yet.
        labs = create_public_labs(scenario, platform_rows, lambda name: self.streams.stream(f"population.{name}"))
        if labs is not None:
            self.firms.extend(labs)
        self.firm_agents = []
        self._add_firm_agents(np.arange(self.firms.n))
        self.platform_agents = [Platform(self, row) for row in range(scenario.platforms.count)]
        mesa_compat.number_agents(self, self.platform_agents, self._agent_numbers)
        node_ids = np.full(platform_rows, -1, np.int64)  # an entrant's agent and node are made when it enters
        node_ids[: scenario.platforms.count] = [agent.unique_id for agent in self.platform_agents]
        self.platforms = platforms.create_platforms(scenario, node_ids)
        production.expect_orders(self.firms)
        supervision.assign_owners(self.firms, self.platforms, scenario)
        platforms.launch_memberships(self.firms, self.platforms, scenario)
        self.sector_shock = np.zeros(scenario.size.process_types)
        standard = (self.firms.kind != MICRO) & (self.firms.kind != PUBLIC_LAB)
        self.contracts = ContractBook.empty(
            float(self.firms.base_order_hours[standard].mean()) if standard.any() else 1.0
        )
        demand.open_contract_book(
            self.firms, np.arange(self.firms.n), self.contracts, 0, scenario.demand, self.streams.stream("contracts")
        )
        self.products = products.open_product_book(self.firms, scenario.demand)  # multi-stage products in flight
        # The markets entrants share: base standard orders per week, and the number of micro-businesses.
        self._standard_market_hours = float(self.firms.base_order_hours[self.firms.kind != MICRO].sum())
        self._micro_reference = float(max((self.firms.kind == MICRO).sum(), 1))
        self._market = MarketGraph(self.firms, self.platforms, self.partner_edges.buyer, self.partner_edges.seller)
        self.last_trades = Trades.empty()
        self.keep_order_books = keep_order_books
        self.order_books: list[trade.OrderBook] = []
        self.ledger = Ledger(self.firms, self.workers, self.platforms, firm_flows=firm_panel)
        self._panel = FirmPanel() if firm_panel else None

        platforms.update_size(self.firms, self.platforms, scenario)
        self.week_metrics = metrics.measure(self.firms, self.platforms, self.last_trades)
        self.week_metrics.update(metrics.measure_by_kind(self.firms, np.zeros(self.firms.n)))
        self.week_metrics.update(metrics.measure_capital(self.firms, 0.0, 0.0))
        self._entrants_investment = 0.0
        self.week_metrics.update(metrics.measure_population(self.firms, self.platforms))
        self.week_metrics.update(metrics.measure_labour(self.workers, self.labour_market))
        self.week_metrics.update({"public_cost_yuan": 0.0, "welfare_yuan": 0.0})  # no payments before week 1
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_metric, name=name) for name in metrics.COLUMNS} | {"seed": "seed"}
        )
        self.datacollector.collect(self)

    def _add_firm_agents(self, rows: np.ndarray) -> None:
        """Mesa agents for new firm rows (at set-up, and for each week's entrants only)."""
        kinds = self.firms.kind[rows].tolist()
        handles = [_FIRM_CLASSES.get(kind, SME)(self, row) for row, kind in zip(rows.tolist(), kinds)]
        mesa_compat.number_agents(self, handles, self._agent_numbers)
        self.firm_agents.extend(handles)
        self.firms.node_id[rows] = [agent.unique_id for agent in handles]
        for agent in handles:
            if not self.firms.active[agent.row]:  # a micro-business with no one to run it
                agent.remove()

    def step(self) -> None:
        """One week of the economy's calendar; each stage hands the next what it needs."""
        week = self.steps
        self._apply_interventions(week)
        firms, workers, market, params, ledger = self.firms, self.workers, self.platforms, self.params, self.ledger
        draws = partial(self.streams.week_of, week=week)
        ledger.open_week(week)
        active_at_start = firms.active.copy()
        digital.age_readiness(firms, week, params)
        open_data.update_access(firms, market, self.partner_edges, params)
        platforms.spread_awareness(firms, market, self.partner_edges, params, draws("platforms")("awareness"))
        demand_factor = shocks.set_conditions(firms, market, week, params.shocks)
        platforms.update_size(firms, market, params)
        reach, share = platforms.platform_reach(firms, market), self._market_share() * demand_factor
        orders = demand.place_orders(
            firms, self.contracts, self.sector_shock, reach, share, week, params.demand, draws("demand"), self.products
        )
        staff = public_labs.with_technicians(firms, labour.workforce(firms, workers), params.labour)
        plan = production.plan_week(firms, orders, staff, params.labour)
        books = [] if self.keep_order_books else None
        traded = trade.trade_week(firms, self.partner_edges, market, plan, params, draws("trade"), ledger, books)
        produced = plan.own_hours + traded.trades.sold_hours(*orders.shape)
        members = any_in_rows(firms.membership & market.active[None, :])
        pool_work = public_labs.pool_work(firms, produced)  # public labs' own technicians are not in the pool
        worked, self.labour_market = labour.work_the_week(
            firms, workers, self.labour_market, pool_work, members, week, params, draws("labour"), ledger
        )
        delivered = production.deliver(firms, orders, plan, traded.trades, worked, params, self.products)
        fees = platforms.charge_fees(firms, market, ledger) + open_data.charge_for_access(firms, params, ledger)
        revenue = accounts.settle(firms, workers, delivered, traded, worked, fees, plan.offer_hours, params, ledger)
        public_labs.balance_budgets(firms, ledger)
        ended = self._platform_business(week, traded, draws)
        self.week_metrics = metrics.measure(firms, market, traded.trades, delivered, params.demand.custom_share)
        self.week_metrics.update(metrics.measure_by_kind(firms, revenue))

        opened, closed = self._entry_and_exit(week)
        investment.retire_machines(firms, params.investment, draws("investment")("retirement"))
        investment.review_machines(firms, week, params.investment, ledger)
        joined, left = platforms.review_memberships(firms, market, week, params, ledger)
        digital.review_upgrading(firms, market, week, params, ledger)
        labour.review_training(workers, self.labour_market, week, params, draws("labour")("training"), ledger)
        labour.review_participation(workers, self.labour_market, week, params)
        self._record_week(traded.trades, np.concatenate([joined, opened]), np.concatenate([left, closed, ended]), books)
        if self._panel is not None:
            self._panel.record(week, firms, active_at_start, delivered, worked, revenue, ledger, params.labour)
        self.datacollector.collect(self)

    def _platform_business(self, week: int, traded: TradeWeek, draws: Callable) -> np.ndarray:
        """Platforms' week as businesses: their record, the regulator's audits, costs, prices, entry and exit.

        Returns the ``(firm row, platform row)`` memberships that ended with platforms that exited.
        """
        firms, market, params, ledger = self.firms, self.platforms, self.params, self.ledger
        platforms.record_platform_week(firms, market, traded.trades, traded.platform_week, params)
        supervision.audit_trades(firms, traded.trades, params, draws("supervision")("audits"), ledger)
        platforms.pay_operating_costs(firms, market, params, ledger)
        platforms.review_prices(market, week, params)
        entered, exited, ended = platform_entry.review_entry_and_exit(
            firms, market, week, params, ledger, draws("platforms")("entry")
        )
        self._platforms_enter_and_exit(entered, exited)
        return ended

    def _platforms_enter_and_exit(self, entered: np.ndarray, exited: np.ndarray) -> None:
        """Mesa agents and market-graph nodes for platforms that entered; exited ones leave the agent set."""
        for row in exited.tolist():
            self.platform_agents[row].remove()
        if entered.size == 0:
            return
        handles = [Platform(self, row) for row in entered.tolist()]
        mesa_compat.number_agents(self, handles, self._agent_numbers)
        self.platform_agents.extend(handles)  # rows are used in order, so an agent's place is its row
        self.platforms.node_id[entered] = [agent.unique_id for agent in handles]
        self._market.add_platforms(self.platforms, entered)

    def _record_week(self, trades: Trades, joined: np.ndarray, left: np.ndarray, books: list | None) -> None:
        """End-of-week measurements, the market graph's batch update, and what the week leaves for inspection."""
        invested = self.ledger.week_total("machine purchase")
        self.week_metrics.update(metrics.measure_capital(self.firms, invested, self._entrants_investment))
        self.week_metrics.update(metrics.measure_population(self.firms, self.platforms, self.steps))
        self.week_metrics.update(metrics.measure_labour(self.workers, self.labour_market))
        self.week_metrics.update(metrics.measure_welfare(self.ledger, self.firms, self.params.investment))
        self._market.record_week(trades, joined, left)
        self.last_trades = trades
        if books is not None:
            self.order_books = books  # this week's books

    def holdings(self) -> dict[str, float]:
        """What firms, workers and platforms hold now (yuan): plain sums of cash and savings, not the ledger's."""
        return self.ledger.holdings()

    def firm_panel(self) -> pd.DataFrame:
        """One row per firm per week from week 1 (see :mod:`model.economy.panel`); needs ``firm_panel=True``."""
        if self._panel is None:
            raise RuntimeError("build the model with firm_panel=True to keep the per-firm panel")
        return self._panel.to_frame()

    def _apply_interventions(self, week: int) -> None:
        """Apply the scenario's interventions due at the start of ``week``, and what follows from them."""
        changes = {}
        for intervention in self.params.interventions:
            if intervention.at == week:
                changes.update(intervention.set)
        if not changes:
            return
        before, self.params = self.params, with_changes(self.params, changes)
        after = self.params
        platforms.apply_parameters(self.platforms, after)
        firms = self.firms
        firms.labour_cost_per_machine_hour = labour.marginal_labour_cost(after.labour)
        kinds = ((LARGE, "large"), (SME_KIND, "sme"), (MICRO, "micro"))
        for kind, name in kinds:
            old, new = getattr(before.firms, name), getattr(after.firms, name)
            of_kind = firms.kind == kind
            firms.openness[of_kind] = new.openness
            # A digitalisation programme moves every firm of the kind by the change in the mean.
            shift = new.digital_readiness - old.digital_readiness
            firms.digital_readiness[of_kind] = np.clip(firms.digital_readiness[of_kind] + shift, 0.0, 1.0)
        micro_shift = after.firms.micro.digital_readiness - before.firms.micro.digital_readiness
        self.workers.digital_readiness[:] = np.clip(self.workers.digital_readiness + micro_shift, 0.0, 1.0)

    def _market_share(self) -> np.ndarray:
        """(N,) how entry and exit share the fixed standard and custom markets (see :func:`demand.market_share`)."""
        return demand.market_share(self.firms, self._standard_market_hours, self._micro_reference, self.params.demand)

    def _custom_market_share(self) -> float:
        """What a new micro-business would get of the custom market, were it to open now."""
        running = int((self.firms.active & (self.firms.kind == MICRO)).sum()) + 1
        return (self._micro_reference / running) ** self.params.demand.custom_market_crowding

    def _entry_and_exit(self, week: int) -> tuple[np.ndarray, np.ndarray]:
        """Close failing firms, open workers' micro-businesses and new SMEs, and pay for all of it.

        Returns the ``(firm row, platform row)`` memberships that began and ended with them.
        """
        params, firms, workers, ledger = self.params, self.firms, self.workers, self.ledger
        closing = occupation.closing_firms(firms, week, params, self.streams.weekly("occupation.closure", week))
        closed_memberships = occupation.close_firms(firms, workers, closing, params, ledger)
        for row in closing.tolist():  # only this week's leavers
            self.firm_agents[row].remove()

        aware_share = firms.aware[firms.active].mean(axis=0) if firms.active.any() else None
        choice_draws = self.streams.weekly("occupation.choice", week)
        founders = occupation.choose_self_employment(
            workers,
            self.platforms,
            self.labour_market,
            self._custom_market_share(),
            week,
            params,
            choice_draws,
            aware_share,
        )
        n_platforms = self.platforms.n
        micro = None
        if founders.workers.size:
            micro_draws = self.streams.week_of("occupation.micro", week=week)
            micro = occupation.micro_businesses(founders, workers, n_platforms, week, params, micro_draws)
        smes = occupation.new_smes(firms, n_platforms, week, params, self.streams.week_of("occupation.sme", week=week))
        self._entrants_investment = 0.0
        if micro is None and smes is None:
            return np.zeros((0, 2), np.int64), closed_memberships
        sme_cash = np.zeros(0) if smes is None else smes.cash_yuan.copy()
        if smes is not None:
            smes.cash_yuan[:] = 0.0  # paid in by their owners once admitted
        # Founders settle next to their former employer; new SMEs next to a random firm.
        entrants = micro if micro is not None else smes
        anchors = np.concatenate([workers.employer[founders.workers], np.full(sme_cash.size, -1, np.int64)])
        if micro is not None and smes is not None:
            entrants.extend(smes)
        rows = self._admit(entrants, anchors, self.streams.weekly("occupation.anchors", week))
        micro_rows, sme_rows = rows[: founders.workers.size], rows[founders.workers.size :]
        occupation.hand_over(firms, workers, founders, micro_rows, params)
        occupation.open_micro_businesses(firms, workers, founders, micro_rows, params, ledger)
        occupation.open_smes(firms, sme_rows, sme_cash, params, ledger)
        self._entrants_investment = ledger.week_total("machine purchase")  # machine reviews come later in the week
        sme_members = platforms.consider_joining(firms, self.platforms, sme_rows, week, params, ledger)
        new_members, platform = np.nonzero(firms.membership[micro_rows])
        micro_members = np.stack([micro_rows[new_members], platform], axis=1).astype(np.int64)
        return np.concatenate([micro_members, sme_members]), closed_memberships

    def _admit(self, newcomers, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Add entrants to the tables, the supply network, the market graph and Mesa; returns their rows.

        An anchor of -1 is replaced by a random active firm; the entrant settles next to its anchor.
        """
        if newcomers.n == 0:
            return np.zeros(0, np.int64)
        alive = np.flatnonzero(self.firms.active)
        labour.expect_load(newcomers, self.params)
        production.expect_orders(newcomers)
        rows = self.firms.extend(newcomers)
        if alive.size:
            anchors = np.where(anchors >= 0, anchors, alive[rng.integers(0, alive.size, anchors.size)])
        else:  # every firm has closed: entrants stay where they were drawn, with no partners yet
            anchors = np.where(anchors >= 0, anchors, rows)
        self.firms.aware[rows] |= self.firms.aware[anchors]  # what the founder's employer or new neighbours know
        demand.open_contract_book(self.firms, rows, self.contracts, self.steps, self.params.demand, rng)
        products.admit_entrants(self.products, self.firms, rows)
        self._add_firm_agents(rows)
        u, v = link_entrants(
            self.firms, rows, anchors, self.partner_edges.buyer, self.partner_edges.seller, self.params
        )
        first_new_link = self.partner_edges.buyer.size
        self.partner_edges.extend(u, v)
        self._market.add_firms(
            self.firms, rows, self.partner_edges.buyer[first_new_link:], self.partner_edges.seller[first_new_link:]
        )
        return rows

    def run(self, weeks: int | None = None) -> None:
        """Play ``weeks`` weeks (default: the scenario's ``steps``)."""
        for _ in range(self.params.steps if weeks is None else weeks):
            self.step()

    @property
    def market_graph(self) -> nx.DiGraph:
        """Firms and platforms as nodes; memberships and cumulative trades as edges.

        See :mod:`model.economy.market_graph`.
        """
        return self._market.graph

    @property
    def supply_network(self) -> nx.Graph:
        """The off-platform partner network, with each link's current ``trust`` (mean of both directions)."""
        edges = self.partner_edges
        one_way = edges.buyer < edges.seller
        trust = 0.5 * (edges.trust[one_way] + edges.trust[edges.reverse[one_way]])
        graph = nx.Graph()
        graph.add_nodes_from(self.firms.node_id.tolist())
        graph.add_weighted_edges_from(
            zip(
                self.firms.node_id[edges.buyer[one_way]].tolist(),
                self.firms.node_id[edges.seller[one_way]].tolist(),
                trust.tolist(),
            ),
            weight="trust",
        )
        return graph


def _read_metric(model: SharedManufacturingModel, name: str) -> float:
    return model.week_metrics[name]


def choose_seed(seed: Any = None, rng: Any = None) -> int:
    """The run's seed from ``seed`` or Mesa's ``rng`` (an integer, a SeedSequence or a Generator).

    ``None`` for both draws a fresh seed from the operating system.

    >>> choose_seed(7), choose_seed(rng=np.int64(7))
    (7, 7)
    """
    if seed is not None and rng is not None and seed != rng:
        raise ValueError(f"pass seed or rng, not both (got seed={seed!r}, rng={rng!r})")
    value = seed if seed is not None else rng
    if value is None:
        value = np.random.SeedSequence()
    if isinstance(value, np.random.SeedSequence):
        return int(value.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(value, np.random.Generator):
        return int(value.integers(0, 2**63 - 1))
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"seed must be a non-negative integer, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"seed must be a non-negative integer, got {value}")
    return int(value)
