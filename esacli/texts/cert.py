"""CLI texts: certconfig (§7): certificate profiles and Certificate Authorities."""

from __future__ import annotations

from typing import Final

# -- §7 certconfig -------------------------------------------------------------------------
DEMO_WARNING: Final = (
    "WARNING: You are currently using a demonstration certificate which is not secure and is"
    " not recommended for general use. Please create or import a certificate with the"
    " certconfig command."
)
CERTCONFIG_MENU: Final = {
    "CERTIFICATE": "Import, Create a request, Edit or Remove Certificate Profiles",
    "CERTAUTHORITY": "Manage System and Customized Authorities",
}
CERT_LIST_TITLE: Final = "List of Certificates"
CERT_COLUMNS: Final = ("Name", "Common Name", "Issued By", "Status", "Remaining")
CERT_REMAINING: Final = "{days} days"
CERTIFICATE_MENU: Final = {
    "IMPORT": "Import a certificate from a local PKCS#12 file",
    "PASTE": "Paste a certificate into the CLI",
    "NEW": "Create a self-signed certificate and CSR",
    "EDIT": "Update certificate or view the signing request",
    "EXPORT": "Export a certificate",
    "DELETE": "Remove a certificate",
    "PRINT": "View certificates assigned to services",
}
CERT_PROFILE_NAME: Final = "Enter a name for this certificate profile:"
CERT_OVERWRITE: Final = (
    'Certificate profile "{name}" already exists. Do you want to overwrite with this new one?'
)
PASTE_CERT: Final = "Paste public certificate in PEM format (end with '.'):"
PASTE_KEY: Final = "Paste private key in PEM format (end with '.'):"
PASTE_INTERMEDIATE: Final = "Paste intermediate certificate in PEM format (end with '.'):"
ADD_INTERMEDIATE: Final = "Do you want to add an intermediate certificate?"
ADD_ANOTHER_INTERMEDIATE: Final = "Do you want to add another intermediate certificate?"
CHECK_FQDN: Final = (
    "Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format?"
)
NOT_FQDN: Final = 'The Common Name "{cn}" is not in FQDN format. The certificate was not added.'
INVALID_CERT: Final = "Invalid certificate...discarding"
INVALID_KEY: Final = "Invalid private key ...discarding"
KEY_MISMATCH: Final = "key does not sign certificate"
KEY_CERT_LATER: Final = (
    "The certificate of this key is number {n} of the paste: paste it first, then the"
    " intermediates, each followed by the one that issued it.")
END_OF_PASTE: Final = "."
# (issue 4) validity warnings when pasting or importing [M]
CERT_EXPIRED: Final = "The certificate has expired (it was valid until {date})."
CERT_NOT_YET_VALID: Final = "The certificate is not valid until {date}."
USE_ANYWAY: Final = "Do you want to use it anyway?"
# a whole chain pasted at PASTE_CERT (issue 8) [M]
CHAIN_PASTED: Final = (
    "The paste holds a chain of {total} certificates: the first is used as the certificate,"
    " the others as its intermediate certificates."
)
NOT_ISSUER: Final = (
    "This intermediate certificate did not issue the certificate before it...discarding"
)
# NEW [T order; M wording]
CERT_COMMON_NAME: Final = "Enter Common Name (CN):"
NOT_FQDN_CN: Final = 'The Common Name "{cn}" is not in FQDN format.'
CERT_ORGANIZATION: Final = "Enter Organization (O):"
CERT_UNIT: Final = "Enter Organizational Unit (OU):"
CERT_LOCALITY: Final = "Enter Locality or City (L):"
CERT_STATE: Final = "Enter State or Province (ST):"
CERT_COUNTRY: Final = "Enter Country (2 letter code) (C):"
CERT_SAN: Final = (
    "Enter the host names for the Subject Alternative Name (DNS) extension."
    " Separate multiple host names with commas."
)
BAD_HOSTNAME: Final = 'Invalid hostname format: "{name}"'
CERT_DURATION: Final = "Duration before expiration (in days):"
CERT_DEFAULT_DAYS: Final = 3650
CERT_KEY_TYPE: Final = "Enter type and size of private key:"
KEY_TYPE_LABELS: Final = {
    "rsa-2048": "RSA 2048", "rsa-3072": "RSA 3072", "rsa-4096": "RSA 4096",
    "ecdsa-p256": "ECDSA P-256",
}
VIEW_CSR: Final = "Do you want to view the CSR?"
# EDIT
CERT_EDIT_WHICH: Final = "Select the certificate profile you wish to edit:"
UPDATE_CERT: Final = "Would you like to update the public certificate?"
REMOVE_INTERMEDIATE: Final = "Do you want to remove an intermediate certificate?"
REMOVE_WHICH: Final = "Select the intermediate certificate to remove:"
# IMPORT / EXPORT (PKCS#12 files in the configuration directory)
CERT_IMPORT_FILE: Final = 'Enter the name of the file on machine "{host}" to import:'
CERT_FILE_MISSING: Final = "the file {file} does not exist."
P12_PASSPHRASE: Final = "Enter passphrase:"
P12_REFUSED: Final = "The passphrase is wrong or the file is not a PKCS#12 file."
P12_NO_KEY: Final = "The file does not hold a certificate and its private key."
CERT_EXPORT_WHICH: Final = "Select the certificate profile you wish to export:"
CERT_EXPORT_FILE: Final = "Enter a filename for the exported file:"
CREATE_PASSPHRASE: Final = "Create a passphrase for file {file}:"
CONFIRM_PASSPHRASE: Final = "Confirm the passphrase for file {file}:"
PASSPHRASE_MISMATCH: Final = "The passphrases do not match."
CERT_FILE_WRITTEN: Final = 'File "{file}" written.'
CERT_FILE_UNWRITABLE: Final = "The file {file} could not be written."
# DELETE / PRINT
CERT_DELETE_WHICH: Final = "Select the certificate profile you wish to delete:"
CERT_IN_USE: Final = 'The certificate profile "{name}" cannot be deleted: it is used by {users}.'
CERT_DELETE_CONFIRM: Final = 'Are you sure you want to delete the certificate profile "{name}"?'
USER_LISTENER: Final = 'listener "{name}"'
USER_OUTBOUND: Final = "the outbound TLS client certificate (destconfig SETUP)"
CERT_PRINT_COLUMNS: Final = ("Service", "Certificate Profile")
SERVICE_LISTENER: Final = "Listener {name}"
SERVICE_OUTBOUND: Final = "Outbound TLS client (destconfig)"
# CERTAUTHORITY (§7.3) [T sub-commands; M text]
CA_MENU: Final = {
    "SYSTEM": "Manage the system's trusted Certificate Authorities",
    "CUSTOM": "Manage custom Certificate Authorities",
}
CA_SYSTEM_STATUS: Final = "System Certificate Authorities: {state} ({count})"
CA_CUSTOM_STATUS: Final = "Custom Certificate Authorities: {state} ({count})"
CERTIFICATES: Final = ("{n} certificate", "{n} certificates")  # one, several (or none)
CA_ENABLED: Final = "Enabled"
CA_DISABLED: Final = "Disabled"
# Each list's menu: ENABLE or DISABLE (whichever changes it), then the rest.
CA_SYSTEM_MENU: Final = {
    "ENABLE": "Enable the list.",
    "DISABLE": "Disable the list.",
    "PRINT": "Display the list.",
}
CA_CUSTOM_MENU: Final = {
    "ENABLE": "Enable the list.",
    "DISABLE": "Disable the list.",
    "IMPORT": "Import custom Certificate Authorities from a file or a paste.",
    "EXPORT": "Export custom Certificate Authorities to a file.",
    "PRINT": "Display the list.",
    "DELETE": "Remove a custom Certificate Authority.",
}
CA_IMPORT_FROM: Final = "Import the Certificate Authorities from:"
CA_IMPORT_SOURCES: Final = ("A file in the configuration directory", "Paste")
CA_PASTE: Final = "Paste the Certificate Authorities in PEM format (end with '.'):"
CA_BAD_PEM: Final = "Could not read PEM data from file."
CA_NOT_ADDED: Final = "Not added (not a Certificate Authority, or already in the list): {names}"
CA_ADDED: Final = "Certificate Authorities added: {names}"
CA_EXPORT_WHICH: Final = "Select the Certificate Authorities to export:"
CA_EXPORT_ALL: Final = "All"
CA_PRINT_COLUMNS: Final = ("Name", "Expires", "SHA-256 Fingerprint")
CA_NONE: Final = "There are no custom Certificate Authorities."
CA_DELETE_WHICH: Final = "Select the custom Certificate Authority you wish to delete:"
CA_DELETE_CONFIRM: Final = 'Are you sure you want to delete "{name}"?'

# -- one-line forms (issue 14) ------------------------------------------------------------
CERT_BATCH_USAGE: Final = "Invalid certconfig batch command. Type 'help certconfig'."
CERT_BATCH_SYNTAX: Final = {  # the words after each item's name, for `help certconfig`
    "CERTIFICATE": "delete <profile> | print",
    "CERTAUTHORITY": "system|custom enable|disable|print | custom delete <name>",
}
CERT_BATCH_NO_PROFILE: Final = 'There is no certificate profile "{name}".'
CERT_BATCH_NO_CA: Final = 'There is no custom Certificate Authority "{name}".'

# a private key with a passphrase pasted at PASTE_KEY [M]
ENCRYPTED_KEY: Final = (
    "Encrypted private key ...discarding. A key protected by a passphrase is not accepted"
    " here: paste it decrypted (openssl pkey -in <key file>), or put the certificate and"
    " its key in a PKCS#12 file and use IMPORT, which asks for its passphrase."
)
