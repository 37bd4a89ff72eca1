"""Every AsyncOS prompt, menu label and message the shell prints, as data.

Taken from /work/shared/reference/asyncos-cli.md (section numbers in each module).
Where the reference marks wording as uncertain ([M]) the most plausible text is used;
every string lives here so it is easy to correct in one place. One namespace
(`texts.NAME`), kept in a module per area.
"""

from esacli.texts.cert import *
from esacli.texts.hat import *
from esacli.texts.history import *
from esacli.texts.ops import *
from esacli.texts.outbound import *
from esacli.texts.queue import *
from esacli.texts.shell import *
from esacli.texts.ssl import *
