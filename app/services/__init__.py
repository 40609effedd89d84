"""Use cases of the service; they own transactions once persistence arrives."""
