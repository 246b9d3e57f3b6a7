"""Retention of personal data."""
