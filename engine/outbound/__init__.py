"""Outbound delivery: routes and MX (resolver), destination controls and the STARTTLS
outcome table (policy, pure), the SMTP client (client), the client-side TLS contexts
(tlsctx), retries and bounces (scheduler), required-TLS alerts (alerts) and the
`tlsverify` probe (tlsverify)."""
