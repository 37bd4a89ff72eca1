"""The system and network tools an administrator reaches for when a partner fails:
`version`, `dig`, `telnet` (a short SMTP probe), `netstat`. They act at once, on the
committed configuration, and change nothing."""
