"""`reportingconfig`: the TLS statistics and the web console settings (menu.py)."""
