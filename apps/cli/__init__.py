"""The `passerelle` command line: the same use cases as the API, for operators and scripts."""
