"""Domain and use cases of the Passerelle XR platform: pure Python, no framework, SQL or SDK."""
