"""Identity: the users of a tenant, their roles, and how they prove who they are."""
