"""The range of every number in the configuration, each written once.

A dialog asks with these ranges, an import or batch form parses with them, and
`state.validate` refuses a version holding a number outside them, so nothing an
administrator types can commit a value the engine cannot use (a TCP queue of
10^20 once made the next boot fail with an OverflowError).

The appliance's own limits are not documented for most of these settings; the
bounds here are generous for real traffic and small enough for every consumer
(the kernel's listen backlog, asyncio, SQLite, datetime).
"""

from __future__ import annotations

from state.numbers import MB, DecimalRange, Range

# -- listeners (listenerconfig NEW / EDIT INTERFACE and LIMITS) ----------------------
PORT = Range(1, 65535)
LISTENER_CONNECTIONS = Range(1, 10_000)  # per listener; each one is a file descriptor
TCP_QUEUE = Range(1, 65_535)  # listen(2) backlog; the kernel caps it at somaxconn
BIND_PORT = Range(0, 65535)  # what bind(2) takes; 0 (any free port) only in engine tests
# SMTP conversation timeouts (seconds; a longer wait only holds a connection)
SMTP_TIMEOUT = DecimalRange(0.0, 86_400.0)
SMTP_WORKERS = Range(0, 256)  # SMTP worker processes; 0: one per core

# -- mail flow policy parameters (HAT DEFAULT, policies, sender groups; §4.4) -------
# Which parameter each one governs: the parameter table, state.policy_params.
MESSAGE_SIZE = Range(1, 1024 * MB)  # bytes; every message is spooled to disk
HOST_CONNECTIONS = Range(1, 10_000)  # concurrent connections from one IP address
MSGS_PER_SESSION = Range(1, 1_000_000)
RCPTS_PER_MSG = Range(1, 1_000_000)
RCPTS_PER_HOUR = Range(1, 1_000_000_000)  # rate limit per host; -1 in the model is "off"
ACCEPT_CODE = Range(200, 299)  # custom SMTP acceptance response
REFUSE_CODE = Range(400, 599)  # custom rejection and rate-limit responses
RAT_CODE = Range(200, 599)  # a RAT entry's custom response

# -- destination controls (destconfig; §6.2) -------------------------------------------
DEST_CONCURRENCY = Range(1, 10_000)
DEST_MSGS_PER_CONNECTION = Range(1, 10_000)
DEST_RECIPIENT_LIMIT = Range(1, 1_000_000_000)
DEST_RECIPIENT_MINUTES = Range(1, 60)

# -- smtproutes, dnsconfig -------------------------------------------------------------
ROUTE_PRIORITY = Range(0, 65_535)
DNS_PORT = PORT
DNS_TIMEOUT = DecimalRange(0.0, 3600.0)  # seconds; greater than 0

# -- delivery (no dialog yet; checked so an imported version cannot break the queue) --
QUEUE_LIFETIME_HOURS = Range(1, 24 * 365)
RETRY_SECONDS = Range(1, 7 * 24 * 3600)

# -- logconfig (log subscriptions' rollover) ------------------------------------------
LOG_SIZE = Range(10 * 1024, 10 * 1024 * MB)  # bytes: 10K (a test load rolls) to 10G
LOG_FILES = Range(1, 1000)
# A log rolled by age whose files together hold less than this is warned about (seconds)
LOG_SHORT_HISTORY = 3600
LOG_ROLLOVER = Range(0, 366 * 24 * 3600)  # seconds; 0 is "by size only"

# -- reporting and the web console (engine/tlsstats/, esacli/web/) ------------------
TLS_STATS_DAYS = Range(1, 366)  # days of daily TLS roll-ups kept (hourly ones: 7 days)
WEB_PORT = PORT

# -- the shell ---------------------------------------------------------------------------
CONFIRM_MINUTES = Range(1, 60)  # commit confirmed N
RATE_SECONDS = Range(1, 3600)  # rate: seconds between its lines
CERT_DAYS = Range(1, 36_500)  # certconfig NEW: expiry stays well inside year 9999

# -- certconfig NEW: the longest value of each subject attribute, in UTF-8 bytes -----------
# RFC 5280 appendix A (ub-common-name, ub-organization-name, ub-organizational-unit-name,
# ub-locality-name, ub-state-name; a country is exactly two letters). cryptography refuses a
# longer CN or C with a ValueError and counts UTF-8 bytes, so the bound is counted so here
# too: an ASCII value may have that many characters. Read by state.certs.subject_problem.
CERT_SUBJECT_LENGTHS = {
    "common_name": 64, "organization": 64, "unit": 64, "locality": 128, "state": 128,
    "country": 2,
}


# -- which field of which record each range governs (read by state.validate) ---------
LISTENER_FIELDS = {"port": PORT, "max_connections": LISTENER_CONNECTIONS, "tcp_queue": TCP_QUEUE}
# What the engine can hand to the kernel, whatever a stored version holds.
LISTENER_SOCKET_FIELDS = {"port": BIND_PORT, "tcp_queue": TCP_QUEUE}
DESTINATION_FIELDS = {
    "max_concurrency": DEST_CONCURRENCY,
    "max_msgs_per_connection": DEST_MSGS_PER_CONNECTION,
    "recipient_limit": DEST_RECIPIENT_LIMIT,
    "recipient_minutes": DEST_RECIPIENT_MINUTES,
}
LOG_FIELDS = {"max_size": LOG_SIZE, "max_files": LOG_FILES, "rollover_seconds": LOG_ROLLOVER}
DELIVERY_FIELDS = {
    "queue_lifetime_hours": QUEUE_LIFETIME_HOURS,
    "initial_retry_seconds": RETRY_SECONDS,
    "max_retry_seconds": RETRY_SECONDS,
}

# -- users and access (userconfig POLICY, sshconfig SETUP, adminaccessconfig) -----------
PASSWORD_LENGTH = Range(6, 128)  # the shortest password userconfig and passwd accept
IDLE_MINUTES = Range(5, 1440)  # an idle CLI session is logged out after this long
LOGIN_TRIES = Range(1, 10)  # failed passwords per connection (OpenSSH's MaxAuthTries)
LOGIN_FREE_FAILURES = Range(1, 100)  # failures from one address before checks are spaced
LOGIN_MAX_GAP = Range(1, 60)  # seconds between two checks from a throttled address
LOGIN_FORGET_MINUTES = Range(1, 1440)
LOGIN_FIELDS = {
    "max_tries": LOGIN_TRIES,
    "free_failures": LOGIN_FREE_FAILURES,
    "max_gap": LOGIN_MAX_GAP,
    "forget_minutes": LOGIN_FORGET_MINUTES,
}

# -- logs (grep) ------------------------------------------------------------------------
GREP_CONTEXT = Range(0, 1000)  # grep -C: lines around a match (a search holds them in memory)
