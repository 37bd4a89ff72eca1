"""CLI texts: the commit model (§2): commit, clear, rollbackconfig, and the commit safety
nets beyond the appliance (`commit check`, `commit confirmed N`).

The appliance's own wording of rollbackconfig is known only in part ([T] substrings, [M]
elsewhere): "…roll back the configuration?" and "…commit this configuration now?" with
`[N]>`, and `That value is not valid` for a bad choice. The rest is ours.
"""

from __future__ import annotations

from typing import Final

# -- §2.4 rollbackconfig -------------------------------------------------------------------
ROLLBACK_MENU: Final = {
    "ROLLBACK": "Roll back to a previously committed configuration.",
    "SETUP": "Configure rollback settings.",
}
ROLLBACK_LIST_TITLE: Final = "Committed configurations (newest first):"
ROLLBACK_WHICH: Final = "Enter the number of the configuration you want to roll back to."
ROLLBACK_LINE: Final = "Version {number}  {date}  {user}  {source}  {comment}"
ROLLBACK_CONFIRM: Final = "Do you want to roll back the configuration?"
ROLLBACK_COMMIT_NOW: Final = "Do you want to commit this configuration now?"
ROLLBACK_COMMENT: Final = "Rolled back to version {number}"
ROLLBACK_STAGED: Final = (
    "The configuration of version {number} is now pending.\n"
    "Use 'showchanges' to review it, 'commit' to commit it or 'clear' to discard it."
)
ROLLBACK_SETUP: Final = (
    "Rollback is always enabled: every commit is saved, and any of the last 10 committed\n"
    "configurations can be restored with ROLLBACK."
)
ROLLBACK_LIMIT: Final = 10
# The history comment of the automatic rollback of an unconfirmed `commit confirmed`.
AUTO_ROLLBACK_COMMENT: Final = (
    "Version {version} was not confirmed: automatic rollback to version {previous}"
)

# -- commit model §4: commit check, commit confirmed ------------------------------------
COMMIT_USAGE: Final = (
    "commit check                 validate the pending changes; commit nothing\n"
    "commit confirmed <minutes>   commit; roll back after <minutes> (1 to 60) unless a\n"
    "                             plain 'commit' confirms it"
)
COMMIT_BAD_ARGS: Final = "Invalid commit command. Type 'help commit'."
COMMIT_CHECK_OK: Final = "The configuration is valid. Nothing was committed."
COMMIT_CHECK_MERGE: Final = "A commit would merge these changes committed by another session:"
COMMIT_ROLLBACK_AT: Final = (
    "The changes will be rolled back at {date} unless confirmed: type 'commit' before then."
)
COMMIT_CONFIRMED: Final = "Commit of version {version} confirmed: it will not be rolled back."
# Told at the next prompt to the session whose `commit confirmed` another session ended.
CONFIRMED_ELSEWHERE: Final = (
    "Commit of version {version} was confirmed by another session of {user}:"
    " it will not be rolled back."
)
ROLLED_BACK_ELSEWHERE: Final = (
    "Commit of version {version} was not confirmed in time: it was rolled back."
)
CONFIRM_PENDING: Final = (
    "Version {version} (commit confirmed by {user}) is waiting for confirmation until {date}.\n"
    "Only one confirmed commit may wait at a time: confirm it with 'commit' first."
)
CONFIRM_WAITING: Final = (
    "Note: version {version} (commit confirmed by {user}) will be rolled back at {date}"
    " unless {user} confirms it."
)

# -- system_logs lines of the automatic rollback -------------------------------------------
LOG_ROLLED_BACK: Final = (
    "commit confirmed: version %d by %s was not confirmed by its deadline;"
    " rolled back to version %d as version %d"
)
LOG_UNCHANGED: Final = (
    "commit confirmed: version %d by %s was not confirmed; the head already has"
    " the configuration of version %d: nothing written"
)
LOG_CONFLICT: Final = (
    "commit confirmed: version %d by %s was not confirmed, but reverting it conflicts with"
    " later commits (%s): keeping version %d"
)
LOG_INVALID: Final = (
    "commit confirmed: version %d by %s was not confirmed, but the reverted configuration"
    " is not valid (%s): keeping version %d"
)

# -- §2 commit, clear ----------------------------------------------------------------------
COMMIT_COMMENT: Final = "Please enter some comments describing your changes:"
COMMITTED: Final = "Changes committed: {date}"
NO_DATA_TO_COMMIT: Final = "There is no data to commit."
COMMIT_MERGED: Final = "These changes committed by another session were merged:"
COMMIT_ERRORS: Final = "The configuration is not valid:"
COMMIT_CONFLICTS: Final = "Another session committed changes to the same settings:"
CONFLICT_SIDES: Final = "    committed before: {base}\n    theirs: {theirs}\n    yours: {mine}"
NOTHING_COMMITTED: Final = "Nothing was committed. Your changes are still pending."
SCRIPT_FAILED_BEFORE: Final = (
    "Nothing was committed: a line of this input before the commit failed or was refused,"
    " and committing the rest would apply half of it. Correct the input and run it again.")
# a conflict stays until the session's changes are made again on the new head
CONFLICT_WAY_OUT: Final = (
    "To keep yours, type 'clear' and make those changes again: they then apply to what"
    " the other session committed.")
CLEAR_CONFIRM: Final = "Are you sure you want to clear all changes since the last commit?"
CLEARED: Final = "Changes cleared: {date}"
NO_CHANGES: Final = "No changes have been made since the last commit."

# -- warnings before a commit (commit check, commit): stricter TLS, shadowed HAT rows -----
# Each dry run line (engine/tlsstats/texts.py) is printed after this prefix.
STRICTER_WARNING: Final = "Warning: {text}"
COMMIT_ANYWAY: Final = (
    "Some deliveries or connections would have failed under the stricter TLS settings."
    " Do you want to commit these changes anyway?")
