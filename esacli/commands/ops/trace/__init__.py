"""`trace`: the appliance's what-if over engine/trace.py (command.py asks, render.py
shows the result)."""
