"""Marshmallow request and response shapes of the HTTP API."""
