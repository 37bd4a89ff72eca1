"""The top loop (§1): help, unknown commands, Ctrl-C, Ctrl-D, faults, completion words."""

from __future__ import annotations

from collections.abc import Sequence

from esacli.commands import COMMANDS, Command, Context
from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state.session import Session
from tests.kit.shell import run_shell, transcript

CTRL_C, CTRL_D = ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D


async def test_help_and_unknown_commands(session: Session) -> None:
    lines = ["help", "h listenerconfig", "? help", "bogus", "COMMIT x", "", "exit"]
    screen = await run_shell(session, lines)
    assert screen == transcript("""
        mail.example.com> help

        Type 'help <command>' for more information on a specific command.

        adminaccessconfig     Configure the CLI session inactivity timeout.
        alertconfig           Configure email alerts.
        bouncerecipients      Bounce messages from the queue.
        certconfig            Configure security certificates and keys.
        clear                 Clear pending configuration changes since last commit.
        clustercheck          Check the configuration of every machine of the cluster.
        clusterconfig         Configure cluster related settings.
        clustermode           Select the cluster mode (level) to edit.
        commit                Commit changes.
        commitdetail          Display details of a committed configuration version.
        daneverify            Verify DANE support for a domain (no commit needed).
        deleterecipients      Delete messages from the queue.
        delivernow            Reschedule messages for immediate delivery.
        destconfig            Configure options for destination domains.
        dig                   Look up a DNS record.
        dnsconfig             Configure DNS setup.
        exit                  Exit the CLI.
        findevent             Find events in mail log files.
        grep                  Search for text in a log file.
        help                  Help.
        hoststatus            Get the status of the given hostname.
        interfaceconfig       Configure the IP interfaces.
        last                  Display who has recently logged into the system.
        listenerconfig        Configure mail listeners.
        loadconfig            Load a configuration file.
        logconfig             Configure access to log files.
        mailconfig            Mail the current configuration to an email address.
        mtastsconfig          View the cached MTA-STS policies, fetch one now.
        netstat               Display network connections of the appliance.
        passwd                Change your password.
        rate                  Monitor message throughput.
        redirectrecipients    Redirect all messages to another relay host.
        reportingconfig       Configure the TLS statistics and the web console.
        resumedel             Resume deliveries.
        resumelistener        Resume receiving.
        rollbackconfig        Roll back to one of the last 10 committed configurations.
        saveconfig            Save the configuration to disk.
        sethostname           Set the name of the machine.
        showchanges           Show the pending configuration changes.
        showconfig            Display all configuration values.
        showrecipients        Show messages from the queue by recipient host, Envelope From address, or all messages.
        smtproutes            Set up permanent domain redirections.
        sshconfig             Configure SSH keys and SSH login settings.
        sslconfig             Configure SSL settings.
        status                System status.
        suspenddel            Suspend deliveries.
        suspendlistener       Suspend receiving.
        tail                  Continuously display the end of a log file.
        telnet                Connect to a remote host's SMTP service (banner, EHLO, QUIT).
        tlsreadiness          Show a partner domain's TLS readiness and what Required - Verify would do.
        tlsreport             Show the TLS connections report (incoming and outgoing, per domain).
        tlsrptconfig          Configure TLS reporting (RFC 8460).
        tlsverify             Check TLS configuration of a domain (no commit needed).
        tophosts              Display the top hosts by queue size.
        trace                 Trace the flow of a message through the system (nothing is sent).
        userconfig            Manage user accounts.
        version               View system version information.
        who                   List who is logged in.
        workqueue             Display work queue status and statistics.

        mail.example.com> h listenerconfig

        listenerconfig - Configure mail listeners.
        listenerconfig edit <listener> hostaccess new sendergroup <name> <hosts> <behavior> [options]
        listenerconfig edit <listener> hostaccess new policy <name> <behavior> [options]
        listenerconfig edit <listener> hostaccess edit sendergroup <name> <new_host_list>
        listenerconfig edit <listener> hostaccess edit policy <name> <behavior> [options]
        listenerconfig edit <listener> hostaccess delete sendergroup|policy <name>
        listenerconfig edit <listener> hostaccess move <sendergroup> <before>
        listenerconfig edit <listener> hostaccess default [options]
        listenerconfig edit <listener> hostaccess print|import <file>|export <file>
        listenerconfig edit <listener> rcptaccess new <address> <accept|reject>
        options: --max_size= --max_conn= --max_msgs= --max_rcpt= --override= --rate_lim=
                 --cust_acc= --acc_code= --cust_rej= --rej_code= --cust_lim= --lim_code=
                 --tls=off|on|required|on_verify|require_verify  (policies: value "default")

        Operations:
        - NEW - Create a new listener.
        - EDIT - Modify a listener.
        - DELETE - Remove a listener.
        - SETUP - Change global settings.

        mail.example.com> ? help

        help - Help.
        Usage: help [command]

        mail.example.com> bogus

        Unknown command or missing feature key: bogus

        mail.example.com> COMMIT x

        Invalid commit command. Type 'help commit'.

        mail.example.com> $
        mail.example.com> exit
        """)


async def test_ctrl_c_drops_the_dialog_and_returns_to_the_top(session: Session) -> None:
    lines = [CTRL_C, "listenerconfig", "new", "2", "Partial", CTRL_C, "showchanges", "exit"]
    screen = await run_shell(session, lines)
    assert screen.endswith(transcript("""
        Please create a name for this listener (Ex: "InboundMail"):
        []> Partial

        Please choose an IP interface for this Listener.
        1. Management (127.0.0.1: mail.example.com)
        [1]> $

        mail.example.com> showchanges

        {'standalone': {'': {}}}

        mail.example.com> exit
        """))
    assert screen.startswith("mail.example.com> \nmail.example.com> listenerconfig\n")
    assert not session.pending


async def test_ctrl_c_keeps_steps_completed_before_it(session: Session) -> None:
    lines = ["listenerconfig", "edit", "1", "name", "Renamed", "limits", CTRL_C, "exit", "y"]
    await run_shell(session, lines)
    assert [li.name for li in session.candidate.listeners] == ["Renamed", "OutboundMail"]


async def test_ctrl_d_at_the_prompt_is_exit(session: Session) -> None:
    assert await run_shell(session, [CTRL_D]) == "mail.example.com> \n"


async def test_ctrl_d_with_pending_changes_warns(session: Session) -> None:
    lines = ["listenerconfig", "edit", "1", "name", "Renamed", "", "", CTRL_D, "n", CTRL_D, "y"]
    screen = await run_shell(session, lines)
    assert screen.endswith(transcript("""
        mail.example.com> $

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> n

        mail.example.com> $

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """))


async def test_ctrl_d_inside_a_dialog_drops_it_like_ctrl_c(session: Session) -> None:
    lines = ["listenerconfig", "edit", "1", "limits", "70", CTRL_D, "showchanges", "exit"]
    screen = await run_shell(session, lines)
    assert screen.endswith(transcript("""
        Please enter the TCP listen queue size.
        [50]> $

        mail.example.com> showchanges

        {'standalone': {'': {}}}

        mail.example.com> exit
        """))


async def test_end_of_input_inside_a_dialog_ends_the_session(session: Session) -> None:
    console = ScriptedConsole(["listenerconfig", "new"])
    await Shell(console, session).run()
    assert console.exhausted
    assert console.screen.endswith("[2]> ")


async def test_unexpected_fault_is_one_line_and_the_shell_goes_on(session: Session) -> None:
    async def broken(ctx: Context, args: Sequence[str]) -> None:
        raise RuntimeError("secret detail")

    console = ScriptedConsole(["broken", "exit"])
    commands = (*COMMANDS, Command("broken", "Always fails.", broken))
    await Shell(console, session, commands=commands).run()
    assert console.screen == transcript("""
        mail.example.com> broken

        An application fault occurred (RuntimeError). The command was not completed.

        mail.example.com> exit
        """)


async def test_completion_words(session: Session) -> None:
    console = ScriptedConsole(["listenerconfig", "", "exit"])
    await Shell(console, session).run()
    top, menu = console.prompts[0], console.prompts[1]
    assert top == ("mail.example.com> ", ("adminaccessconfig", "alertconfig", "bouncerecipients",
                                          "certconfig", "clear", "clustercheck", "clusterconfig",
                                          "clustermode", "commit", "commitdetail", "daneverify",
                                          "deleterecipients", "delivernow", "destconfig", "dig",
                                          "dnsconfig", "exit", "findevent", "grep", "help",
                                          "hoststatus", "interfaceconfig", "last",
                                          "listenerconfig", "loadconfig", "logconfig",
                                          "mailconfig", "mtastsconfig", "netstat", "passwd",
                                          "rate", "redirectrecipients", "reportingconfig",
                                          "resumedel", "resumelistener", "rollbackconfig",
                                          "saveconfig", "sethostname", "showchanges", "showconfig",
                                          "showrecipients", "smtproutes", "sshconfig", "sslconfig",
                                          "status", "suspenddel", "suspendlistener", "tail",
                                          "telnet", "tlsreadiness", "tlsreport", "tlsrptconfig",
                                          "tlsverify", "tophosts", "trace", "userconfig",
                                          "version", "who", "workqueue"))
    assert menu == ("[]> ", ("NEW", "EDIT", "DELETE", "SETUP"))
