"""The plugin platform: hook specifications, the plugin manager and the built-in plugins."""
