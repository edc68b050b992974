"""The languages the service speaks, first the default (no Flask here: the command line's
parser reads this without loading the web stack)."""
LANGUAGES = ("fr", "en")
