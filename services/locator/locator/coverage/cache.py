"""What coverage keeps per process: the network of the current snapshot, and the routing engine's
road times found so far for it."""

import asyncio

import numpy as np

from locator.coverage.ferries import FerryCrossings
from locator.coverage.network import Network, Reach
from locator.coverage.refinement import road_reach
from locator.coverage.schemas import TravelModelOut
from locator.snapshot.tables import Snapshot
from locator.travel.model import TravelModel
from locator.travel.osrm import OsrmClient


class CoverageState:
    """Per process: the travel model, the optional routing engine, the ferry crossings counted (None: none)
    and the network of the snapshot."""

    def __init__(
        self,
        model: TravelModel,
        engine: OsrmClient | None = None,
        candidates: int = 3,
        ferries: FerryCrossings | None = None,
    ) -> None:
        self.model = model
        self.engine = engine
        self.candidates = candidates
        self.ferries = ferries
        self._network: Network | None = None
        self._lock = asyncio.Lock()

    def model_out(self) -> TravelModelOut:
        return TravelModelOut(
            **self.model.describe() | {"method": "routing_engine" if self.engine else "great_circle"}
        )

    def network(self, snapshot: Snapshot) -> Network:
        """The network of ``snapshot``: built on first use, kept until the snapshot is replaced."""
        if self._network is None or self._network.snapshot is not snapshot:
            self._network = Network.build(snapshot, self.model, self.ferries)
        return self._network

    async def reach(self, network: Network, include_mobile: bool, mask: np.ndarray) -> Reach:
        """The estimate, or with a routing engine the road times of the communes in ``mask``."""
        estimate = network.estimate(include_mobile)
        if self.engine is None or not estimate.places.trees:
            return estimate
        async with self._lock:
            return await road_reach(self.engine, self.candidates, network, include_mobile, mask)
