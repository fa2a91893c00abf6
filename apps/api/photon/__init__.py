"""The endpoints Photon calls: custom authentication and room webhooks."""
