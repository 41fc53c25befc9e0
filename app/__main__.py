"""``python -m app``: start the web UI (see app/server.py)."""
from app.server import main

if __name__ == "__main__":
    raise SystemExit(main())
