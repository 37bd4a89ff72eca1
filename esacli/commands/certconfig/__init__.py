"""`certconfig` (§7), as its menu tree: `menu` -> `certificate` (the profiles: `request`,
`pkcs12`, `profiles`) and `authority` (the trusted CAs). `questions` holds the pastes and
answers the dialogs share, `render` the screens."""
