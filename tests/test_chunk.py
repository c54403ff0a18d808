from rag import ingest
from rag.chunk import ChunkerSettings, chunk_article, pack, rejoin, split_sentences
from rag.records import Span, chunk_id

from conftest import SEEDS


def articles():
    return ingest.load_corpus(SEEDS).articles


def test_chunk_text_equals_file_slice_and_ids_are_content_addressed():
    for a in articles():
        raw = (SEEDS / a.doc).read_text(encoding="utf-8")
        for c in chunk_article(a):
            assert c.text == raw[c.start:c.end]
            assert c.id == chunk_id(a.doc, c.start, c.end, c.text)
            assert c.sentences[0].start == c.start and c.sentences[-1].end == c.end


def test_chunks_respect_size_and_overlap():
    settings = ChunkerSettings(words=60, overlap=1)
    for a in articles():
        chunks = chunk_article(a, settings)
        for c in chunks:
            assert len(c.text.split()) <= 60 or len(c.sentences) == 1
        # consecutive chunks of one segment share exactly their boundary sentence
        for x, y in zip(chunks, chunks[1:]):
            if y.start < x.end:
                assert x.sentences[-1] == y.sentences[0]


def test_chunks_never_span_removed_furniture():
    a = next(a for a in articles() if a.doc.startswith("000"))
    for c in chunk_article(a):
        assert "ADVERTISEMENT" not in c.text and "SCMP Knowledge" not in c.text and "alt=" not in c.text


def test_sentence_split_is_exact():
    text = "Mr. Putin met Xi in the U.S.-sanctioned city. They signed nothing! Trade rose 5.3% in 2023."
    spans = split_sentences(text, 10)
    assert [text[s.start - 10:s.end - 10] for s in spans] == [
        "Mr. Putin met Xi in the U.S.-sanctioned city.", "They signed nothing!", "Trade rose 5.3% in 2023."]


def test_sentences_cut_at_an_abbreviation_are_joined():
    # An article's sentences (chunk_article): pysbd ends a sentence at "c." before a year, "Hon." before a name, "LL.D."
    # before a lower-case word: each is one sentence, with exact spans.
    text = ("Babbage began a small engine in c. 1819 and finished it. In 1939, ca. 1,300,000 people lived there. "
            "The Deputy Premier, the Hon. Peter Ryan, spoke. As early as 1807 the degree of LL.D. was conferred "
            "upon him. It ended in World War I. He was a major.")
    spans = rejoin(text, split_sentences(text))
    assert [text[s.start:s.end] for s in spans] == [
        "Babbage began a small engine in c. 1819 and finished it.", "In 1939, ca. 1,300,000 people lived there.",
        "The Deputy Premier, the Hon. Peter Ryan, spoke.",
        "As early as 1807 the degree of LL.D. was conferred upon him.", "It ended in World War I.", "He was a major."]


def test_an_articles_passages_hold_its_sentences_whole(tmp_path):
    (tmp_path / "engine.txt").write_text("The engine\n\nBabbage began a small engine in c. 1819 and finished it "
                                         "by 1822. It was shown in London.\n", encoding="utf-8")
    [article] = ingest.load_corpus(tmp_path).articles
    [chunk] = chunk_article(article)
    assert [article.text[s.start:s.end] for s in chunk.sentences][-2:] == [
        "Babbage began a small engine in c. 1819 and finished it by 1822.", "It was shown in London."]


def test_lines_names_and_leftover_pieces_stay_apart():
    # A line break ends a sentence whatever its last word; a piece opening on a
    # comma is what markup left of another sentence, "(b) ..." an item, and a
    # name may open in lower case.
    text = ("See the list in Vol.\n2 items follow. It was settled in 1659. , the island had 4,897 people. "
            "Paris fell. de Gaulle was born in 1890. He bought a phone. iPhone sales rose. A heading in c.\u2028"
            "1820 was here.")
    got = [text[s.start:s.end] for s in rejoin(text, split_sentences(text))]
    assert got[:3] == ["See the list in Vol.", "2 items follow.", "It was settled in 1659."]
    for piece in (", the island had 4,897 people.", "de Gaulle was born in 1890.", "iPhone sales rose.", "1820 was here."):
        assert piece in got
    assert rejoin("(a) one and (b) two.", [Span(0, 11), Span(12, 20)]) == [Span(0, 11), Span(12, 20)]


def test_a_long_run_without_a_sentence_end_stays_cut():
    # split_sentences cuts a run with no sentence end at a space; rejoin must not undo it.
    text = ("item one, item two, and so on " * 300).strip()
    spans = rejoin(text, split_sentences(text))
    assert len(spans) > 1 and all(s.end - s.start <= 2000 for s in spans)


def test_pack_always_advances():
    sents = [Span(i * 10, i * 10 + 9) for i in range(5)]
    windows = pack(sents, "x " * 100, words=1, overlap=3)
    assert len(windows) == 5 and all(len(w) == 1 for w in windows)
