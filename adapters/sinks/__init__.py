"""Development sinks: messages printed or written to files instead of being sent."""
