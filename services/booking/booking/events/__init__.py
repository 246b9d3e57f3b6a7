"""Booking events: the outbox and its relay to Redis."""
