"""The locator service."""
