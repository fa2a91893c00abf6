"""Testing help for plugin developers: the ports' contract suites, for a plugin's tests."""
