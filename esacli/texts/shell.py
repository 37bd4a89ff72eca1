"""CLI texts: the shell itself (§1): conventions, help, the command descriptions, sessions."""

from __future__ import annotations

from typing import Final

from state import messages

# -- §1 shell conventions ------------------------------------------------------------------
CHOOSE_OPERATION: Final = "Choose the operation you want to perform:"
ANSWER_YES_NO: Final = "Please answer Y or N."
UNKNOWN_OPTION: Final = 'Unknown option: "{answer}"'
AMBIGUOUS_OPTION: Final = 'Unknown option: "{answer}" is ambiguous ({matches}).'
NOT_VALID: Final = "That value is not valid."
ENTER_A_VALUE: Final = messages.ENTER_A_VALUE().text  # state says it too (an empty list)
PRESS_ENTER: Final = "Press Enter to continue."
UNKNOWN_COMMAND: Final = "Unknown command or missing feature key: {command}"
NO_BATCH: Final = 'The "{command}" command does not take arguments here.'
HELP_HEADER: Final = "Type 'help <command>' for more information on a specific command."
HELP_NOT_AVAILABLE: Final = "help is not available for {command}"
HELP_USAGE: Final = "{command} - {description}"
INTERNAL_ERROR: Final = "An application fault occurred ({kind}). The command was not completed."
LINE_TOO_LONG: Final = "The line is longer than {limit} characters: it was discarded."
SESSION_FAULT: Final = "An application fault occurred ({kind}). The session was closed."
EXIT_WARNING: Final = (
    "Configuration changes entered but not committed. Exiting will lose changes.\n"
    "Type 'commit' at the command prompt to commit changes."
)
EXIT_CONFIRM: Final = "Are you sure you wish to exit?"

# -- validation messages used by the dialogs (§1.5) ----------------------------------------
# What a value may be is state's to say (state/messages.py); the dialogs that check a
# name themselves (profiles, files) say it with the same words.
VALID_NAME_CHARS: Final = messages.NAME_CHARACTERS().text

# -- command descriptions (help) -----------------------------------------------------------
DESCRIPTIONS: Final = {
    "alertconfig": "Configure email alerts.",
    "destconfig": "Configure options for destination domains.",
    "dnsconfig": "Configure DNS setup.",
    "smtproutes": "Set up permanent domain redirections.",
    "sslconfig": "Configure SSL settings.",
    "tlsverify": "Check TLS configuration of a domain (no commit needed).",
    "certconfig": "Configure security certificates and keys.",
    "clear": "Clear pending configuration changes since last commit.",
    "commit": "Commit changes.",
    "exit": "Exit the CLI.",
    "help": "Help.",
    "listenerconfig": "Configure mail listeners.",
    "rollbackconfig": "Roll back to one of the last 10 committed configurations.",
    "showchanges": "Show the pending configuration changes.",
    "tail": "Continuously display the end of a log file.",
    "status": "System status.",
}

# -- sessions ------------------------------------------------------------------------------
# Printed when an interactive session has been idle too long (commit model §1).
IDLE_TIMEOUT: Final = (
    "\n\nSession idle too long: logging out. Uncommitted changes were discarded.\n")
