"""The configuration's reporting records: TLS-RPT, the TLS statistics, the web console
(re-exported by state/model.py, where Config holds them)."""

from __future__ import annotations

from state.records import Frozen


class TlsRptSettings(Frozen, frozen=True):
    """tlsrptconfig: daily aggregate TLS reports (RFC 8460) to the domains that ask for them.

    `organization` and `contact` (an address) go into every report; `sender` is the From of
    the report mails (an address of ours). Off until an administrator turns it on.
    """

    enabled: bool = False
    organization: str = ""
    contact: str = ""
    sender: str = ""


class ReportingSettings(Frozen, frozen=True):
    """What the engine remembers of each connection's TLS (engine/tlsstats/): the TLS
    connections report, partner readiness, the dry run of a stricter setting and the
    downgrade alerts read it. `tls_stats_days` (state.ranges.TLS_STATS_DAYS) is how long
    the daily roll-ups are kept; `downgrade_alerts` sends an alert (class System, severity
    Warning) when a partner's TLS gets weaker (the mail_logs line is written regardless).
    """

    tls_stats_days: int = 30
    downgrade_alerts: bool = True


class WebConsole(Frozen, frozen=True):
    """The read-only web console (esacli/web/): HTTPS on `ip`:`port`, off until enabled.

    `certificate` names a certificate profile; None serves the Demo certificate (or, where
    there is none, the first listener's).
    """

    enabled: bool = False
    ip: str = "127.0.0.1"
    port: int = 8443
    certificate: str | None = None
