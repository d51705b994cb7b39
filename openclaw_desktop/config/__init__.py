"""Configuration: state-dir resolution, the typed settings tree and the config file store."""
