"""The commands of the commit model (§2): `commit`, `clear`, `showchanges`, `rollbackconfig`.

They act on this session's pending changes and the store's history, and have no menu tree
of their own (rollbackconfig's two operations are in its module)."""
