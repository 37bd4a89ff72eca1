"""The administrator's side of the appliance: the shell, SSH, the web console."""

import warnings

# asyncssh names DSA at import, which cryptography 51 deprecates: a note to asyncssh's
# developers, not a line for an administrator's terminal or the appliance's stderr.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh(\.|$)")
