"""Outbound delivery: routes and MX (resolver), which destination control decides a
domain (destinations, compiled per version into engine/runtime.py's OutboundRuntime),
the STARTTLS outcome table (policy, pure), the SMTP client (client), the client-side
TLS contexts (tlsctx), retries and bounces (scheduler), required-TLS alerts (alerts) and
the `tlsverify` probe (tlsverify).

DNS-published TLS policy (issue 12; not yet called by the delivery path): DNSSEC-aware
lookups (dnssec), DANE (dane), MTA-STS (mtasts, mtasts_cache), the precedence rule and
REQUIRETLS (precedence, pure), the verdict after STARTTLS (verdict, pure), the glue for one
attempt (dnspolicy), TLS-RPT (tlsrpt, tlsrpt_store, tlsrpt_report), and their texts
(reasons)."""
