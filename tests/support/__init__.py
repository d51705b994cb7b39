"""Test doubles shared across test packages (real servers on loopback, fakes)."""
