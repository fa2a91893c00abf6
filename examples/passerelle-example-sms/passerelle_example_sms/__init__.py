"""An example Passerelle XR plugin: an SMS gateway adapter and a session-ended hook."""
