"""Product carbon-footprint engine: factors, inventory models and Brightway calculation.

This package knows nothing of HTTP or databases so that a notebook, the CLI and the web
service all compute the same numbers the same way.
"""

__version__ = "0.1.0"
