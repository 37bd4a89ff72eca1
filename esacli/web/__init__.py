"""The read-only web console: HTTPS on a loopback port (`Config.web`, or `esacli run --web`).

Pages: the TLS connections report with charts over time, partner readiness, the queue,
listener status, recent commits; and `/metrics` in the Prometheus text format. Login with
the appliance's users (the secrets area's password hashes); a session cookie (Secure,
HttpOnly, SameSite=Strict); GET only reads, POST exists only for login and logout.

It reads only what the engine publishes (status.json, tlsstats.db, queue.db) and the
configuration store, never the engine itself, so when SMTP work is spread over several
worker processes the console (and its metrics) still shows one appliance. It runs in the
appliance's process and event loop, beside SSH, never in an SMTP worker; every file read
runs in a thread. Every asset is served by the appliance: charts are server-side SVG
(pygal), there is no script and no request beyond loopback.

Modules: `service` (runs the console where Config.web says), `gate` (accepts its
connections: caps per source and in all, timeouts), `connection` (one connection's request
handler), `app` (the aiohttp application), `auth` (logins, sessions, throttling), `pages`
(HTML), `charts` (SVG), `metrics` (Prometheus collector), `texts` (every word shown).
"""
