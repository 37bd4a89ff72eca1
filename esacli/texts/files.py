"""CLI texts: files in the configuration folder (IMPORT / EXPORT of destconfig,
smtproutes, the HAT and the RAT)."""

from __future__ import annotations

from typing import Final

# -- files in the configuration folder (IMPORT / EXPORT) -----------------------------------
FILE_NAME_INVALID: Final = (
    'Invalid file name "{name}". Valid characters are letters, digits, "-", "_" and "."'
)
FILE_MISSING: Final = 'Error: the file "{name}" does not exist.'
FILE_READ_ERROR: Final = "Error reading file."
FILE_WRITE_ERROR: Final = "Error writing file."
FILE_LINE_ERROR: Final = "Error on line {line}: {message}"
IMPORT_FAILED: Final = "Import failed."
IMPORT_DONE: Final = 'Imported the file "{name}".'
EXPORT_DONE: Final = (
    'File written on machine "{hostname}" to the location "/configuration/{name}".'
)
# An EXPORT into a file that is there already (the style of certconfig's overwrite question)
FILE_EXISTS: Final = 'The file "{name}" already exists. Do you want to overwrite it?'
FILE_EXISTS_REFUSED: Final = 'The file "{name}" already exists: it was not overwritten.'
