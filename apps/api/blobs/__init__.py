"""Signed links to files of the local store, served by the API itself."""
