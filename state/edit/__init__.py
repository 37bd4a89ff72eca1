"""Edit operations: what a change to the configuration means, apart from any dialog.

The shell's dialogs and batch forms ask; these functions decide. Each takes immutable
records and returns the edited ones, or raises `state.errors.EditRefused` carrying the
appliance's message when a configuration rule forbids the edit (the ALL row, a route
limit, a name already taken...). A `*_refusal` function says why an answer cannot be
used, or None. One module per part of the configuration: `listeners`, `hat` (sender
groups and mail flow policies), `rat`, `destinations`, `routes`, `dns`, `alerts`.
"""
