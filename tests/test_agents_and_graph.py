"""Mesa agents are handles on array rows; the market graph records memberships and trades."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from agents import SME, LargeFirm, MicroEntrepreneur, Platform
from model import SharedManufacturingModel
from model.economy.state import LARGE, MICRO
from model.economy.state import SME as SME_KIND
from tests.helpers import run, scenario


@pytest.fixture(scope="module")
def economy():
    return run(seed=2, weeks=30, size__firms=500, platforms__count=2)


def test_agents_by_type_match_the_active_firms(economy):
    firms = economy.firms
    active = firms.active
    assert len(economy.agents_by_type[LargeFirm]) == (active & (firms.kind == LARGE)).sum() > 0
    assert len(economy.agents_by_type[MicroEntrepreneur]) == (active & (firms.kind == MICRO)).sum() > 0
    assert len(economy.agents_by_type[SME]) == (active & (firms.kind == SME_KIND)).sum() > 0
    assert len(economy.agents_by_type[Platform]) == 2
    assert all(agent.active for agent in economy.agents_by_type[SME])


def test_an_agent_reads_its_own_row(economy):
    for agent in list(economy.agents_by_type[SME])[:20]:
        row = agent.row
        assert agent.utilisation == economy.firms.utilisation[row]
        assert np.array_equal(agent.capacity_hours, economy.firms.capacity_hours[row])
        assert [p.row for p in agent.platforms] == np.flatnonzero(economy.firms.membership[row]).tolist()
    platform = economy.platform_agents[0]
    assert platform.members == economy.firms.membership[:, 0].sum()


def test_unique_ids_are_unique_and_every_firm_ever_is_a_graph_node(economy):
    ids = [agent.unique_id for agent in economy.firm_agents + economy.platform_agents]
    assert len(set(ids)) == len(ids) == economy.firms.n + economy.platforms.n
    assert set(economy.market_graph.nodes) == set(ids)
    assert {agent.unique_id for agent in economy.agents} <= set(ids)


def test_membership_edges_mirror_the_membership_table(economy):
    graph = economy.market_graph
    member_edges = {(u, v) for u, v, relation in graph.edges(data="relation") if relation == "member"}
    rows, platforms = np.nonzero(economy.firms.membership)
    expected = {(int(economy.firms.node_id[r]), int(economy.platforms.node_id[p])) for r, p in zip(rows, platforms)}
    assert member_edges == expected and member_edges


def test_trade_edges_add_up_to_every_delivered_hour():
    economy = SharedManufacturingModel(scenario(size__firms=300), seed=2)
    delivered = platform_delivered = 0.0
    for week in range(25):
        economy.step()
        trades = economy.last_trades
        delivered += trades.hours[trades.delivered].sum()
        platform_delivered += trades.hours[trades.delivered & (trades.platform >= 0)].sum()
        if week == 10:
            _ = economy.market_graph  # an early read must not lose or double anything
    graph = economy.market_graph
    trade_edges = [data for _, _, data in graph.edges(data=True) if data["relation"] == "trade"]
    assert sum(edge["hours"] for edge in trade_edges) == pytest.approx(delivered, rel=1e-12)
    assert sum(edge["platform_hours"] for edge in trade_edges) == pytest.approx(platform_delivered, rel=1e-12)
    assert platform_delivered > 0


def test_trade_degree_counts_the_firms_traded_with_in_the_window_asked_for():
    """Degree from the pair totals, against neighbours read off the NetworkX graph's trade edges."""
    economy = SharedManufacturingModel(scenario(size__firms=300), seed=3)

    def hours_by_pair():
        graph = economy.market_graph
        return {(u, v): data["hours"] for u, v, data in graph.edges(data=True) if data["relation"] == "trade"}

    def degree_from(pairs):
        row = {int(node): r for r, node in enumerate(economy.firms.node_id)}
        neighbours = [set() for _ in range(economy.firms.n)]
        for u, v in pairs:
            neighbours[row[u]].add(v)
            neighbours[row[v]].add(u)
        return np.array([len(n) for n in neighbours])

    for _ in range(12):
        economy.step()
    snapshot, before = economy._market.pair_hours(), hours_by_pair()
    for _ in range(6):
        economy.step()
    after = hours_by_pair()
    recent = [pair for pair, hours in after.items() if hours > before.get(pair, 0.0)]
    assert 0 < len(recent) < len(after)
    assert np.array_equal(economy._market.trade_degree(), degree_from(after))
    assert np.array_equal(economy._market.trade_degree(since=snapshot), degree_from(recent))


def test_one_order_can_be_served_by_several_producers(economy):
    assert economy.datacollector.get_model_vars_dataframe()["producers_per_order"].iloc[1:].max() > 1.0


def test_a_finished_model_can_be_garbage_collected():
    """Mesa 3.3.1 keeps every model alive through Agent._ids (mesa#3179); ours lets go."""
    economy = run(seed=1, weeks=2, size__firms=50)
    ref = weakref.ref(economy)
    del economy
    gc.collect()
    assert ref() is None


def test_another_top_level_agents_package_is_named_in_a_clear_error(tmp_path):
    import os
    import subprocess
    import sys

    from tests.helpers import REPO

    (tmp_path / "other" / "agents").mkdir(parents=True)
    (tmp_path / "other" / "agents" / "__init__.py").write_text("# somebody else's agents package\n")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "other"), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-c", "import model"], cwd=tmp_path, env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert (
        last.startswith("ImportError") and str(tmp_path / "other" / "agents") in last and "virtual environment" in last
    )


def test_the_market_map_shows_every_active_firm_and_the_heaviest_trades_the_short_way_round(economy):
    from model.experiments.plots import market_layers

    layers = market_layers(economy, max_trade_edges=50)
    firms = economy.firms
    for kind, agent_type in (("large", LargeFirm), ("sme", SME), ("micro", MicroEntrepreneur)):
        _, machines = layers.firms[kind]
        agents = economy.agents_by_type[agent_type]  # Mesa's agent sets, kept apart from the firm table's rows
        assert len(machines) == len(agents) > 0
        assert machines.sum() == sum(int(firms.machines[agent.row].sum()) for agent in agents)
    trades = np.concatenate([layers.partner_trades, layers.platform_trades])
    assert economy.last_trades.delivered.sum() > len(trades) == 50  # only the heaviest are drawn
    assert (np.abs(trades[:, 1] - trades[:, 0]) <= 0.5 + 1e-12).all()  # never the long way across the map
    members = (firms.membership & firms.active[:, None]).sum()
    assert len(layers.spokes) == members and len(layers.platforms) == 2
