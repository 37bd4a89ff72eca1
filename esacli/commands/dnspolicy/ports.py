"""The ports the shell's probes (tlsverify, daneverify, mtastsconfig's fetch now) connect
to: deployment parameters, as the queue's are (engine/queue/manager.py QueueOptions).
Read at each call (`ports.MX_PORT`), so tests can point them at servers on free ports."""

from __future__ import annotations

from engine.outbound.mtasts import HTTPS_PORT
from engine.outbound.resolver import SMTP_PORT

MX_PORT = SMTP_PORT  # of the MX hosts
POLICY_PORT = HTTPS_PORT  # of the MTA-STS policy hosts
