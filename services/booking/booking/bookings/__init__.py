"""Bookings: creation, management by link, agents' follow-up."""
