"""The commands about the TLS a partner's DNS publishes: `daneverify` (probe DANE now),
`mtastsconfig` (the MTA-STS policy cache, a fetch now), `tlsrptconfig` (TLS reporting)."""
