"""CLI texts: the configuration as a file (showconfig, saveconfig, mailconfig,
loadconfig, §2.5) and commitdetail."""

from __future__ import annotations

from typing import Final

from esacli.texts import files

PASSPHRASE_OPTION: Final = "Choose the passphrase option:"
PASSPHRASE_OPTIONS: Final = (
    "Mask passphrases (loadconfig then asks for the private keys and passwords"
    " the appliance it loads on does not have)",
    "Encrypt passphrases",
)
ENCRYPT_ADMINS_ONLY: Final = ("Only an Administrator can write the keys and passwords"
                              " encrypted: they are masked in this file.")
PASSPHRASE_NEW: Final = "Enter a passphrase to encrypt the keys and passwords with:"
PASSPHRASE_AGAIN: Final = "Please enter the passphrase again:"
PASSPHRASES_DIFFER: Final = "The passphrases do not match."
PASSPHRASE_LOAD: Final = "Enter your Passphrase to make changes:"

SAVED_FILE: Final = files.EXPORT_DONE  # one wording of "/configuration/<name>" (§2.5)
SAVED: Final = "Configuration saved."
FILE_NAME: Final = "esacli-{hostname}-{stamp}.conf"

MAIL_TO: Final = "Please enter the email address to which you want to send the configuration file."
MAIL_BAD_ADDRESS: Final = "An email address is a localname, the @ character and a domain."
MAIL_SUBJECT: Final = "Configuration of {hostname}"
MAIL_BODY: Final = ("The configuration of {hostname} is attached ({name}).\n"
                    "Load it with loadconfig.\n")
MAIL_NO_LISTENER: Final = ("The configuration cannot be mailed: no private listener to hand"
                           " it to the mail queue.")
MAIL_REFUSED: Final = "The configuration could not be queued for delivery: {reason}"
MAIL_SENT: Final = 'The configuration file has been queued for delivery to "{address}".'

LOAD_DISCARD: Final = ("You have uncommitted changes. Loading a configuration will discard"
                       " them. Do you want to continue?")
LOAD_METHOD: Final = "Choose the method to load the configuration:"
LOAD_METHODS: Final = ("Paste via CLI", "Load from file")
LOAD_PASTE: Final = ("Paste the configuration file now.\n"
                     'Press CTRL-D or type a line holding only "." when done.')
LOAD_FILE: Final = "Enter the name of the file in the configuration folder to load."
LOAD_NO_DATA: Final = "No data to load."
LOAD_PARSING_FAILED: Final = "Parsing failed: nothing was loaded."
LOAD_INVALID: Final = "The configuration is not valid: nothing was loaded."
LOAD_NO_CHANGES: Final = "No changes detected."
LOAD_DONE: Final = ("Values have been loaded.\n"
                    "Use 'showchanges' to review them and 'commit' to apply them.")
LOAD_KEY_PASTE: Final = ('The private key of the certificate profile "{profiles}" is masked in'
                         ' this file.\nPaste it (a line holding only "." ends it):')
LOAD_KEY_UNREADABLE: Final = "That is not a private key in PEM format: it was discarded."
LOAD_KEY_ENCRYPTED: Final = ("That private key is encrypted: it was discarded. Paste it"
                             " decrypted (openssl pkey -in <key file>).")
LOAD_PASSWORD: Final = ('The password of the account "{user}" is masked in this file.\n'
                        "Enter a new password for {user}:")

DETAIL_HEADER: Final = ("Version: {number}\n"
                        "Committed: {date}\n"
                        "User: {user} ({source})\n"
                        "Comment: {comment}")
DETAIL_CHANGES: Final = "Changes from version {parent}:"
DETAIL_FIRST: Final = "The first version: every setting is new."
DETAIL_NONE: Final = "No configuration setting changed (for example, only a password)."
DETAIL_CHANGE: Final = "{path}: {old} -> {new}"
DETAIL_ABSENT: Final = "(none)"
DETAIL_USAGE: Final = (
    "commitdetail [version]   (default: this session's last commit, else the latest)")
DETAIL_BAD_VERSION: Final = "There is no version {version}. The versions are 1 to {head}."
