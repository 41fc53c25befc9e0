"""``python -m app``: start the web UI (see app/ui.py)."""
from app.ui import main

raise SystemExit(main())
