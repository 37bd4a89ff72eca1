"""`sslconfig` (§8.1): TLS versions and ciphers for inbound and outbound SMTP (`menu`)."""
