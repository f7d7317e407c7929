"""The Balrog admin API (mounted under ``/balrog/api``): rules, permissions, csrf token."""
