"""The démarches catalogue."""
