"""listenerconfig -> EDIT -> RCPTACCESS (§5): the Recipient Access Table of a public listener."""
