"""The outbound queue: durable per-recipient state (store, writer), spooled messages
taken in and crash recovery (intake), the manager that feeds them to delivery
(manager), results, retries and bounces recorded (results), and the administrator's
view (admin)."""
