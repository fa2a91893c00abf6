"""Minutes spent in sessions: per participant, per session, per tenant and month."""
