"""Device pairing: paired-device records, pending requests, device tokens and the
pure approval policy. Storage goes through ``openclaw_desktop.storage``."""
