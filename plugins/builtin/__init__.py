"""Built-in plugins: the platform's own adapters, registered like any third-party ones."""
