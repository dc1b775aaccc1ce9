"""Reusable real-MTA test harness: a private Postfix, milter processes,
miltertest scripts, log parsing. See README.md next to this package."""
