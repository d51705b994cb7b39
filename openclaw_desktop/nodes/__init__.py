"""Nodes: capability hosts (phones, node hosts, this desktop) connected with role node.

The pure command policy and surface rules live here; the registry and invoke relay keep
live sessions and pending invokes (futures that fail closed on timeout or disconnect).
"""
