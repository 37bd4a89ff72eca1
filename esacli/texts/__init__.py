"""Every AsyncOS prompt, menu label and message the shell prints, as data.

One module per area, named for the command (or part of the shell) that prints it, and
read by its name: `texts.hat.HAT_MENU`, `texts.shell.ENTER_A_VALUE`. Section numbers
follow the AsyncOS CLI reference the project was built from. Where that reference marks
wording as uncertain ([M]) the most plausible text is used; every string lives here so
it is easy to correct in one place. Messages about what a configuration may hold (a
value out of range, a name already taken) are state's (state/messages.py).

A menu's labels are a `{NAME: label}` table in screen order; the menu itself (each name
with its handler) is built in the command's `menu` module (esacli.commands.menu).
"""

from esacli.texts import (
    alerts,
    boot,
    cert,
    changes,
    dest,
    dns,
    files,
    hat,
    listener,
    ops,
    queue,
    rat,
    routes,
    shell,
    ssl,
)

__all__ = ["alerts", "boot", "cert", "changes", "dest", "dns", "files", "hat", "listener",
           "ops", "queue", "rat", "routes", "shell", "ssl"]
