"""Real protocol peers that tests start and stop: independent implementations to talk to."""
