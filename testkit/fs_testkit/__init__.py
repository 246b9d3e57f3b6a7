"""The test kit: what the suites and the benchmarks of every service share. A development dependency of
the workspace only (the root's ``dev`` group), so that no service ships it nor its dev-only imports."""
