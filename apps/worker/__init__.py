"""The worker process: delivers the outbox of every tenant."""
