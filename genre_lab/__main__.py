"""``python -m genre_lab`` is the ``genre-lab`` command."""

import sys

from .cli import main

sys.exit(main())
