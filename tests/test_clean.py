from rag import clean, ingest
from rag.chunk import ChunkerSettings, chunk_article

from conftest import SEEDS


def corpus():
    return ingest.load_corpus(SEEDS)


def test_furniture_is_removed_and_sentences_kept():
    arts = {a.doc: a for a in corpus().articles}
    scmp = arts["000_e737f1f109234fde.txt"].cleaned()
    for junk in ("FTSE 100", "ADVERTISEMENT", "alt=", "SCMP Knowledge", "All rights reserved", "8,275.38"):
        assert junk not in scmp
    assert "The pair have met 42 times since 2013" in scmp
    conv = arts["001_abf0bfbafe203610.txt"].cleaned()
    for junk in ("Notify of", "View all comments", "Stay Connected", "The Conversation\n", "28 C"):
        assert junk not in conv
    assert not conv.rstrip().endswith("The Conversation")
    assert "There was no agreement on the Russia-promoted gas pipeline, Power of Siberia 2" in conv
    bloom = arts["003_b2748b2c5d28ea21.txt"].cleaned()
    assert "Read More:" not in bloom and "Focue" not in bloom and "With assistance from" not in bloom
    guardian = arts["004_fb74a0a541c85797.txt"].cleaned()
    for junk in ("Photograph:", "skip past newsletter promotion", "Source link"):
        assert junk not in guardian
    assert "Xi ended the trip by giving Putin two pandas for the Moscow zoo." in guardian


def test_every_kept_span_is_the_file_slice():
    for a in corpus().articles:
        raw = (SEEDS / a.doc).read_text(encoding="utf-8")
        assert a.text == raw
        for s in a.kept:
            assert 0 <= s.start < s.end <= len(raw)
            assert a.text[s.start:s.end] == raw[s.start:s.end]
            assert raw[s.start:s.end].strip() == raw[s.start:s.end]


def test_metadata_from_text_and_overrides():
    arts = {a.doc: a for a in corpus().articles}
    conv = arts["001_abf0bfbafe203610.txt"]
    assert conv.authors == ("Marcin Kaczmarski", "Natasha Kuhrt")
    assert conv.outlet == "The Conversation"
    assert conv.title.startswith("Beijing is walking a fine line")
    assert arts["003_b2748b2c5d28ea21.txt"].date == "2023-10-17"
    assert arts["002_6dfbe20ab4471a19.txt"].authors == ("Ashwani Sharma",)
    assert arts["000_e737f1f109234fde.txt"].title.startswith("No limits? Why Vladimir Putin")


def test_html_is_masked_to_same_length_and_offsets_hold(tmp_path):
    raw = ("<html><head><title>T</title><script>alert(1)</script></head><body><nav>Home | News</nav>"
           "<h1>Gas talks stall</h1><p>Russia and China did not sign the Power of Siberia 2 deal &amp; "
           "talks go on, officials said on Monday in Beijing after a long day.</p>"
           "<p>Advertisement</p><footer>Copyright © 2024</footer></body></html>")
    masked = clean.mask_html(raw)
    assert len(masked) == len(raw)
    assert "alert" not in masked and "Home | News" not in masked
    (tmp_path / "a.html").write_text(raw, encoding="utf-8")
    art = ingest.read_article(tmp_path / "a.html", "a.html")
    text = art.cleaned()
    assert "Power of Siberia 2 deal &" in text and "Advertisement" not in text and "Copyright" not in text
    for c in chunk_article(art, ChunkerSettings()):
        assert c.text == masked[c.start:c.end]


def test_markdown_headings_and_images(tmp_path):
    raw = ("# Big headline here\n\n![photo](x.png)\n\nRussia and China agreed to expand joint drills and patrols, "
           "officials said, as the two countries deepened military ties across the region this week.\n")
    (tmp_path / "a.md").write_text(raw, encoding="utf-8")
    art = ingest.read_article(tmp_path / "a.md", "a.md")
    assert "#" not in art.cleaned() and "photo" not in art.cleaned()
    assert art.title == "Big headline here"


def test_bad_files_are_skipped_with_reasons(tmp_path):
    good = (SEEDS / "002_6dfbe20ab4471a19.txt").read_bytes()
    (tmp_path / "good.txt").write_bytes(good)
    (tmp_path / "copy.txt").write_bytes(good)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1") * 50)
    (tmp_path / "loop").symlink_to(tmp_path)
    found = ingest.load_corpus(tmp_path)
    assert [a.doc for a in found.articles] == ["copy.txt"]
    reasons = {s.path: s.reason for s in found.skipped}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "duplicate of copy.txt" in reasons["good.txt"]


def test_an_encyclopedia_title_is_the_short_first_line_its_first_sentence_names(tmp_path):
    body = ("Laika (c. 1954 – 3 November 1957) was a Soviet space dog who became one of the first animals "
            "in space and the first to orbit the Earth.\nLittle was known about the impact of spaceflight on "
            "living creatures at the time of her mission, and the technology to de-orbit had not yet been "
            "developed.\n")
    (tmp_path / "laika.txt").write_text("Laika\n" + body, encoding="utf-8")
    assert ingest.read_article(tmp_path / "laika.txt", "laika.txt").title == "Laika"
    (tmp_path / "dolly.txt").write_text("Dolly (sheep)\n" + body.replace("Laika", "Dolly", 1), encoding="utf-8")
    assert ingest.read_article(tmp_path / "dolly.txt", "dolly.txt").title == "Dolly (sheep)"
    (tmp_path / "abel.txt").write_text("Abel Tasman\n" + body.replace("Laika", "Abel Janszoon Tasman", 1), encoding="utf-8")
    assert ingest.read_article(tmp_path / "abel.txt", "abel.txt").title == "Abel Tasman"
    # A short first line the text does not go on to name is page furniture, not a title.
    (tmp_path / "ad.txt").write_text("Advertisement\n" + body, encoding="utf-8")
    assert ingest.read_article(tmp_path / "ad.txt", "ad.txt").title.startswith("Laika (c. 1954")
