"""The process's own clock and randomness."""
