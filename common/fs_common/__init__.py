"""What every France Services service shares: settings, database, errors, logs, health and metrics."""
