"""Settings: environment variables (PASSERELLE_...) and an optional TOML file, validated once."""
