"""Local-directory storage for the embedded default and single-machine installs."""
