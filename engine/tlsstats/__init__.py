"""What the engine remembers of every connection's TLS, and what is read from it.

Recording (the engine's side): `events` turns a finished inbound connection (ICID) or an
outbound delivery attempt (DCID) into one `Event`; `recorder` writes events off the event
loop, in batches, into `store` (`<data>/tlsstats.db`, SQLite, 0600), where they are rolled
up per hour and per day and kept for `reporting.tls_stats_days`; `recordcheck` judges a
certificate chain the connection did not verify, for the record; `downgrade` notices a
partner whose TLS got weaker and says so (mail_logs, an alert).

Reading (any process, read-only): `report` (the TLS connections report; each column
defined once, in `report.COLUMNS`), `dryrun` (what a stricter setting would have refused),
`readiness` (a partner's TLS over the stored attempts). Texts: `texts`.
"""
