"""Reading the parser's data files: one entry per line, blank lines and # comments skipped."""
import os

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def entries(name):
    """(line number, stripped line) of the meaningful lines of data/<name>."""
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                yield lineno, line
