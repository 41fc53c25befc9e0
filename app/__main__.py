"""``python -m app``: start the web UI (see app/ui.py)."""
from app.ui import main

if __name__ == "__main__":
    raise SystemExit(main())
