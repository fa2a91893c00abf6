"""Network requirements of a deployment: what to open in firewalls, and a check that it is."""
