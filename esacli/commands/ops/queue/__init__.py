"""The queue's operational commands (§2.1: they act at once, no commit): `showrecipients`,
`delivernow`, `tophosts`, one module each; `database` is how they reach the queue."""
