"""Portal: a self-hosted client portal built with Reflex."""
