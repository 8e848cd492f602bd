"""Route modules, one per concept."""
