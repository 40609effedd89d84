"""Tests for the trust primitives: transparency log and signatures."""
