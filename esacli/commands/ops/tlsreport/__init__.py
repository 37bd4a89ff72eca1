"""`tlsreport`: the TLS connections report (command.py), rendered as a table on a
terminal and as labelled records in batch mode (render.py)."""
