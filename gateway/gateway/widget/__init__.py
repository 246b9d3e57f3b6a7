"""The embeddable locator and booking widget, and the demo page that embeds it."""
