"""`dnsconfig`: the resolver the engine uses (`menu`)."""
