"""CLI texts: the log commands grep, findevent (reference §8.7, §1.4) and logconfig.

[T] wording from the reference where it quotes the appliance; the rest [M] in its style.
"""

from __future__ import annotations

from typing import Final

# -- choosing a log (tail, grep, findevent, logconfig share the listing) ----------------
GREP_WHICH: Final = "Enter the number of the log you wish to grep."
FINDEVENT_WHICH: Final = "Enter the number of the log you wish to use for message tracking."
NO_SUCH_LOG: Final = 'Unknown log "{name}".'

# -- grep [T questions, "No results were found."; batch syntax T grep.py] -----------------
GREP_REGEX: Final = "Enter the regular expression to grep."
GREP_CASE: Final = "Do you want this search to be case insensitive?"
GREP_TAIL: Final = "Do you want to tail the logs?"
GREP_NONE: Final = "No results were found."
GREP_COUNT: Final = "{count} matching lines."
GREP_UNABLE: Final = 'Unable to grep "{name}": no such log.'
BAD_REGEX: Final = "Invalid regular expression: {error}."
REGEX_TOO_SLOW: Final = ("The search was stopped: the regular expression took more than {seconds:g}"
                          " second on one line. Try a simpler expression.")
EMPTY_REGEX: Final = "You must enter a regular expression."
GREP_BAD_CONTEXT: Final = 'Invalid value "{value}" for -C. {reason}'
GREP_USAGE: Final = "Usage: grep -e regexp [-c] [-C n] [-i] [-t] log_name"
CONTEXT_SEPARATOR: Final = "--"

# -- findevent [T questions and messages; batch forms D 117853] ---------------------------
FINDEVENT_HOW: Final = "Please choose which type of search you want to perform:"
FINDEVENT_OPTIONS: Final = (
    "Search by envelope FROM",
    "Search by Message ID",
    "Search by Subject",
    "Search by envelope TO",
)
FINDEVENT_REGEX: Final = "Enter the regular expression to search for."
FINDEVENT_MID: Final = "Enter the Message ID (MID) you want to track."
FINDEVENT_BAD_MID: Final = "The Message ID must be a number."
FINDEVENT_FOUND: Final = (
    "The following matching message IDs were found. Please choose one to show additional"
    " log information:")
FINDEVENT_ENTRY: Final = "MID {mid} ({date}) {sender}"
FINDEVENT_NONE: Final = "No matching message IDs were found."
FINDEVENT_USAGE: Final = (
    "Usage: findevent [-i] -f from | -s subject | -t to | -m MID log_name")

# -- logconfig [M; the questions follow the appliance's EDIT of a log subscription] --------
LOGCONFIG_MENU: Final = {"EDIT": "Modify a log subscription."}
LOGCONFIG_EDIT: Final = "Enter the number of the log you wish to edit."
LOGCONFIG_LINE: Final = (
    '"{name}" Type: "{kind}" Retrieval: Manual Download'
    " Rollover: {size}{age}, {files} kept")
LOGCONFIG_FILES: Final = ("{n} file", "{n} files")
LOGCONFIG_SHORT: Final = (
    "Warning: rolled over every {age} with {files} kept, {name} keeps only about {span}"
    " of history.")
LOGCONFIG_AGE: Final = " or every {age}"
LOGCONFIG_MAX_SIZE: Final = (
    "Please enter the maximum file size (a number of bytes, or with K or M):")
LOGCONFIG_MAX_FILES: Final = "Please enter the maximum number of files:"
LOGCONFIG_TIMED: Final = "Do you want to configure time-based log files rollover?"
LOGCONFIG_INTERVAL: Final = (
    "Enter the rollover interval (a number of seconds, or with m, h or d: 30m, 1h, 1d):")
LOGCONFIG_BAD_INTERVAL: Final = (
    "The interval must be from 1 second to 366d, written as 90, 30m, 1h or 1d.")
LOGCONFIG_BAD_SIZE: Final = (
    "The value must be from 10K to 10240M (a number of bytes, or with K or M).")
