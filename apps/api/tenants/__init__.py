"""Operator endpoints: the tenant catalog."""
