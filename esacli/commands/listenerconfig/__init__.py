"""`listenerconfig` (§3), as its menu tree: `menu` (NEW, EDIT, DELETE, SETUP) -> `edit`
(NAME, INTERFACE, CERTIFICATE, LIMITS) -> `hostaccess/` (the HAT) and `rcptaccess/` (the
RAT). Each menu module holds its items; `render` the screens, `questions` the answers."""
