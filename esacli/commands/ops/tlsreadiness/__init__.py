"""`tlsreadiness`: a partner domain's TLS as recorded and as probed now (command.py),
and its screen (render.py)."""
