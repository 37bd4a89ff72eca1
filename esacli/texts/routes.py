"""CLI texts: smtproutes (§8.2): permanent routes."""

from __future__ import annotations

from typing import Final

# -- §8.2 smtproutes -----------------------------------------------------------------------
ROUTES_NONE: Final = "There are no routes configured."
ROUTES_COUNT: Final = "There are currently {count} routes configured."
ROUTES_MENU: Final = {
    "NEW": "Create a new route.",
    "EDIT": "Edit destinations of an existing route.",
    "DELETE": "Remove a route.",
    "PRINT": "Display a listing of routes.",
    "IMPORT": "Import new routes from a file.",
    "EXPORT": "Export all routes to a file.",
    "CLEAR": "Remove all routes.",
}
ROUTES_EDIT_MENU: Final = {
    "ADD": "Add new destination hosts.",
    "REPLACE": "Specify a new destination or set of destinations.",
    "REMOVE": "Remove destination hosts.",
}
ROUTE_NEW_DOMAIN: Final = (
    "Enter the domain for which you want to set up a permanent route.\n"
    'Partial hostnames such as ".example.com" are allowed.\n'
    'Use "ALL" for the default route.'
)
ROUTE_HOSTS: Final = (
    "Enter the destination hosts, separated by commas, which you want mail for {domain}"
    " to be delivered.\n"
    'Enter "USEDNS" by itself to use normal DNS resolution for this route.\n'
    'Enter "/dev/null" by itself if you wish to discard the mail.\n'
    'Add ":<port>" for a port other than 25 and "/pri=<n>" for a priority (lower is preferred).'
)
ROUTE_ADD_HOSTS: Final = (
    "Enter the additional destination hosts, separated by commas, which you want mail for"
    " {domain} to be delivered."
)
ROUTE_REMOVE_HOSTS: Final = "Enter the destination hosts, separated by commas, to remove."
ROUTE_EDIT_DOMAIN: Final = "Enter the domain of the route you wish to edit."
ROUTE_DELETE_DOMAIN: Final = "Enter the domain of the route you wish to delete."
ROUTE_CURRENT: Final = "Current destinations for {domain}: {hosts}"
ROUTE_NOT_FOUND: Final = "The entry {domain} does not appear to be in the routing table."
ROUTE_RESET_DEFAULT: Final = "Are you sure you want to reset the default route?"
ROUTE_CLEAR_CONFIRM: Final = "Are you sure you want to delete all of the configured routes?"
ROUTES_PRINT_TITLE: Final = "Host routes for all domains:"
