"""Usage endpoint: minutes spent in sessions per month."""
