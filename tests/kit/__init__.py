"""The one kit every test shares. Before writing a helper, look here.

| need                                             | use                                        |
| ------------------------------------------------ | ------------------------------------------ |
| a port a server binds later (config, Postfix...) | ports.reserve / reserve_on (why: ports.py) |
| a port another program holds; a silent UDP port  | ports.held_port / silent_udp_port          |
| wait for a condition (never sleep)               | waiting.wait_until / wait_until_async      |
| a CA, a certificate profile, TLS contexts        | certs (trustme and cryptography)           |
| `esacli run` as a process                        | appliance.prepared + running, Appliance    |
| commit as a second process would                 | appliance.commit_change                    |
| the admin over OpenSSH, the local console        | ssh.ssh_login, ssh_exec, console_shell     |
| the shell in-process, transcripts                | shell.run_shell, transcript, load          |
| the engine in the test's loop, mail_logs         | engine.running_engine, log_has             |
| SMTP: byte-exact / smtplib one-liners            | smtp.RawSmtp / send_mail, starttls_offered |
| DNS on loopback: dead, dnsmasq, DNSSEC           | loopback.DEAD_DNS, dnsserver, dnssec       |
| a remote MX: scripted / Postfix / smtp-sink      | fakemx.FakeMX / postfix / smtpsink         |
| an HTTPS server (MTA-STS, TLS-RPT)               | httpsserver.HttpsServer                    |
| PostgreSQL for clusters                          | pg.PostgresServer                          |
| a relaying appliance, an old release's queue     | queue.relay_appliance, legacy_queue        |
| stop what a test started                         | processes.stop_process (by its Popen)      |
"""
