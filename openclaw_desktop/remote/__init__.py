"""Attach mode: this app as an operator of a (possibly remote) gateway — ours or the
official one — with the same device identity its desktop node uses."""
