"""Method families. Each module exposes ``register(registry, services)``."""
