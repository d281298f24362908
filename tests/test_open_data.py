"""Large firms opening their data, compute and designs to SMEs (issue 14, item 2)."""

from __future__ import annotations

import numpy as np
import pytest

from model import SharedManufacturingModel
from model.economy.mechanisms import digital
from model.economy.state import LARGE
from tests.helpers import scenario


def _opening_economy(seed: int = 2, **overrides) -> SharedManufacturingModel:
    return SharedManufacturingModel(scenario(size__firms=800, firms__large__opens_data=True, **overrides), seed=seed)


def test_closed_large_firms_change_nothing():
    economy = SharedManufacturingModel(scenario(size__firms=400), seed=1)
    economy.run(10)
    assert not economy.firms.data_access.any()
    np.testing.assert_array_equal(economy.firms.failure_rate, economy.firms.failure_rate_alone)
    assert "data opening cost" not in set(economy.ledger.flows()["kind"])


def test_access_goes_to_partners_and_fellow_platform_members_of_large_firms_and_lowers_their_failure_rate():
    economy = _opening_economy()
    economy.run(30)
    firms = economy.firms
    graph = economy.market_graph  # memberships and partner links as the Mesa market graph records them
    large = {int(node) for node in firms.node_id[firms.active & (firms.kind == LARGE)]}
    hosting = {
        platform for firm, platform, relation in graph.edges(data="relation") if relation == "member" and firm in large
    }
    edges = economy.partner_edges
    partners = set(edges.buyer[np.isin(firms.node_id[edges.seller], list(large))].tolist())
    expected = np.zeros(firms.n, bool)
    for row in range(firms.n):
        if not firms.active[row] or firms.kind[row] == LARGE:
            continue
        node = int(firms.node_id[row])
        members_of = {v for _, v, relation in graph.out_edges(node, data="relation") if relation == "member"}
        expected[row] = row in partners or bool(members_of & hosting)
    np.testing.assert_array_equal(firms.data_access, expected)
    assert expected.sum() > 50
    reduction = economy.params.firms.large.data_defect_reduction
    np.testing.assert_allclose(firms.failure_rate[expected], (1 - reduction) * firms.failure_rate_alone[expected])
    np.testing.assert_array_equal(firms.failure_rate[~expected], firms.failure_rate_alone[~expected])


def test_opening_costs_each_large_firm_its_running_cost_and_access_fees_reach_the_large_firms():
    economy = _opening_economy(firms__large__data_fee_yuan_per_week=40.0, firms__large__data_cost_yuan_per_week=700.0)
    opening_weeks = users_weeks = 0
    for _ in range(12):
        opening_weeks += int((economy.firms.active & (economy.firms.kind == LARGE)).sum())
        economy.step()
        users_weeks += int(economy.firms.data_access.sum())
    flows = economy.ledger.flows()
    assert flows.query("kind == 'data opening cost'")["yuan"].sum() == pytest.approx(700.0 * opening_weeks)
    fees = flows.query("kind == 'data access fee'")
    assert fees["yuan"].sum() == pytest.approx(40.0 * users_weeks) and users_weeks > 0


def test_access_cheapens_digital_upgrading_by_the_stated_share():
    economy = _opening_economy(firms__large__data_upgrade_discount=0.25)
    firms = economy.firms
    rows = np.flatnonzero(firms.active)
    projects = np.full(rows.size, 2.0)
    firms.data_access[:] = False
    alone = digital.upgrade_cost(firms, rows, projects, economy.params)
    firms.data_access[rows[::2]] = True
    opened = digital.upgrade_cost(firms, rows, projects, economy.params)
    np.testing.assert_allclose(opened[::2], 0.75 * alone[::2])
    np.testing.assert_array_equal(opened[1::2], alone[1::2])
    machine_price = economy.params.platforms.upgrade_cost_yuan_per_machine
    np.testing.assert_allclose(alone, 2 * machine_price * np.maximum(firms.machines[rows].sum(axis=1), 1))


def test_profit_counts_the_fees_and_costs_of_opening_as_the_ledger_books_them():
    params = scenario(
        size__firms=400,
        firms__large__opens_data=True,
        firms__large__data_fee_yuan_per_week=40.0,
        firms__large__data_cost_yuan_per_week=700.0,
    )
    economy = SharedManufacturingModel(params, seed=11, firm_panel=True)
    economy.run(15)
    panel = economy.firm_panel()
    np.testing.assert_allclose(panel["profit_yuan"], panel["operating_flow_yuan"], rtol=1e-9, atol=1e-6)
