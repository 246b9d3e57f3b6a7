"""The state of each upstream's circuit, read at scrape time (``/metrics``)."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.proxy.breaker import BreakerState
from gateway.proxy.upstream import Upstream


class CircuitCollector(Collector):
    def __init__(self, upstreams: dict[str, Upstream]) -> None:
        self.upstreams = upstreams

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "gateway_upstream_circuit_open",
            "1 from the circuit's opening until a trial call succeeds",
            labels=["service"],
        )
        for name, upstream in self.upstreams.items():
            gauge.add_metric([name], 0.0 if upstream.breaker.state == BreakerState.closed else 1.0)
        yield gauge
