"""``python -m bot`` is the ``cocreate`` command."""
import sys

from bot.cli import main

sys.exit(main())
