"""The chat page (Gradio): a thin layer over the library.

    turns.py    the Turn record: one question and what the user was shown
    render.py   turns -> chat messages, sources panel, article view, plain text
    engine.py   index loading, answering one turn as a stream, Stop, sessions
    feedback.py thumbs saved to feedback.jsonl, one line per answer
    corpus.py   title, description and examples of the corpus served
    page.py     the Gradio layout and its events
    server.py   launch: loopback-only Host check, one-line errors, main()
    static/     the page's CSS and script

Only page.py and server.py import gradio.
"""
