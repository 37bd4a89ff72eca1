"""The operational commands (§2.1: they act at once and need no commit): `status`, `tail`,
`tlsverify`, and the queue's (`queue/`). They read what the engine publishes or act on
their own; none has a menu tree."""
