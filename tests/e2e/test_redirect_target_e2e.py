"""redirectrecipients refuses a target that would bounce the whole queue within a second:
`all` (the word deleterecipients takes, typed for redirect: `redirectrecipients all`),
the command's other words, a name of one label; and the confirmation names the target.

OpenSSH against `esacli run`; afterwards mail flows and SSH logs in."""

from __future__ import annotations

from tests.kit.appliance import Appliance
from tests.kit.ssh import PROMPT, answer, exit_and_check, ssh_exec, ssh_login

NOT_FQDN = ('Please enter a fully qualified hostname: "{host}" would bounce every message'
            ' sent to it.')


def test_a_target_that_would_bounce_everything_is_refused(appliance: Appliance) -> None:
    for command, host in (("redirectrecipients all", "all"),
                          ("redirectrecipients all yes", "all"),
                          ("redirectrecipients relay all yes", "relay"),
                          ("redirectrecipients sender all", "sender")):
        done = ssh_exec(appliance, command)
        assert NOT_FQDN.format(host=host) in done.stdout, (command, done.stdout)
        assert done.returncode == 1
    child = ssh_login(appliance)
    child.sendline("redirectrecipients")
    child.expect_exact("send the mail to.")
    answer(child, "[]>", "all")
    child.expect_exact(NOT_FQDN.format(host="all"))
    child.expect_exact("send the mail to.")  # asked again
    answer(child, "[]>", "")  # an empty answer: back, nothing selected or asked
    child.expect_exact(PROMPT)
    exit_and_check(child, appliance)
