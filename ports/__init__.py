"""Interfaces the core needs from the outside world (typing.Protocol) and the values they carry."""
