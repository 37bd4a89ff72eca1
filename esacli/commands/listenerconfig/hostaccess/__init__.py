"""listenerconfig -> EDIT -> HOSTACCESS (§4): the Host Access Table of a listener."""
