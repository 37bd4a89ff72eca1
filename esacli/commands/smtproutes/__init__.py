"""`smtproutes` (§8.2): `menu` (the routes), `edit` (one route's destinations), `render`."""
