"""`python -m services.cli ...` is `clubctl ...`."""

import sys

from services.cli.main import main

sys.exit(main())
