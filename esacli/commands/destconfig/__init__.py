"""`destconfig` (§6): `menu` (the operations), `dialog` (NEW / EDIT / DEFAULT), `render`."""
