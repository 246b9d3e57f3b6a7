"""Travel times: the estimate by car (``model``) and the routing engine's road durations (``osrm``)."""
