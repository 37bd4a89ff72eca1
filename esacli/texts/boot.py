"""CLI texts: `esacli run`: the console of a booting appliance."""

from __future__ import annotations

from typing import Final

# -- esacli run: the console of a booting appliance ----------------------------------------
BOOT_NOT_APPLIED: Final = (
    "Configuration version {version} could not be applied: {reason}\n"
    "Running configuration version {applied} instead. Commit a corrected configuration"
    " (or use rollbackconfig) to apply it."
)
BOOT_NOTHING_APPLIED: Final = (
    "No configuration version could be applied (version {version}: {reason}).\n"
    "No listener runs until a valid configuration is committed."
)
BOOT_LISTENER: Final = "Listener {name} on {address}: {state}"
BOOT_RUNNING: Final = "esacli running: SSH on {host}:{port}, data in {data}"
BOOT_FIRST_ONLY: Final = (
    "{option} ignored: it chooses the address of {listener} on the first boot only;"
    " {listener} is configured on {address} (change it with listenerconfig)."
)
