"""Dossier chat: ask about the articles, get answers whose every sentence is
cited, and open any source to read the passage in its article.

    python app.py [--host 127.0.0.1] [--port 7860] [--mode quoted|generated] [--judge 1.5b|off] [--corpus DIR]

The page itself lives in rag/ui/ (layout, rendering, the engine, feedback,
CSS and script); this file only starts it.
"""

from rag.ui.engine import Engine  # noqa: F401  (used by scripts and tests: app.Engine, app.serve)
from rag.ui.server import main, serve  # noqa: F401

if __name__ == "__main__":
    main()
