"""The outbound queue: durable per-recipient state (store) and the manager that feeds
spooled messages to delivery (manager)."""
