"""`status [detail]` (§8.6): `command`, and `render` (the screen); what the engine
publishes is read by esacli.status_doc (the web console reads it too)."""
