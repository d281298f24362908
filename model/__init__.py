"""Agent-based simulation of a shared-manufacturing economy.

Large firms, SMEs, micro-entrepreneurs and capacity-sharing platforms trade
spare machine-hours over a market graph. See README.md for the quick start and
DESIGN.md for the mechanisms.

>>> from model import SharedManufacturingModel, load_scenario
>>> economy = SharedManufacturingModel(load_scenario("scenarios/sharing.yaml"), seed=7)
"""

from .economy.metrics import COLUMNS
from .economy.model import SharedManufacturingModel
from .economy.scenario import Scenario
from .economy.scenario_files import ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = ["COLUMNS", "Scenario", "ScenarioError", "SharedManufacturingModel", "load_scenario", "__version__"]
