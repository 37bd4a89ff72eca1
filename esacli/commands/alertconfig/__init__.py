"""`alertconfig` (§8.8): `menu` (the recipients and SETUP), `render`."""
