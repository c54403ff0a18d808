"""PDF and Word files in the corpus: read, reflowed, cited; a bad one skipped with a reason."""

import io
import subprocess
import sys

import pytest

from rag import extract, ingest
from rag.answer import answer
from rag.errors import CorpusError


def make_pdf(pages: list[list[str]], title: str = "") -> bytes:
    """A minimal PDF, each page a list of lines (Helvetica 11 pt, 14 pt apart),
    written by hand so the tests need no PDF writer."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        shown = " ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
                         for line in lines)
        ops = f"BT /F1 11 Tf 14 TL 72 760 Td {shown} ET"
        objects.append(f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    if title:
        objects.append(f"<< /Title ({title}) >>")
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    info = f" /Info {len(objects)} 0 R" if title else ""
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()


# Lines as a PDF gives them: broken where the margin fell, no blank line between paragraphs.
PAGE = ["Pipeline talks stall",
        "Russia and China have not agreed on the price of the gas to be sent",
        "through the Power of Siberia 2 pipeline, officials said on Monday, and",
        "the talks will go on next year.",
        "The two sides did sign a deal on grain exports, which began in the",
        "spring; the first trains left Novosibirsk in April with a load of well-",
        "known wheat.",
        "A closing remark."]


def test_wrapped_lines_become_paragraphs():
    text = extract.reflowed("\n".join(PAGE))
    assert text.split("\n\n") == [
        "Pipeline talks stall",
        "Russia and China have not agreed on the price of the gas to be sent through the Power of Siberia 2 "
        "pipeline, officials said on Monday, and the talks will go on next year.",
        "The two sides did sign a deal on grain exports, which began in the spring; the first trains left "
        "Novosibirsk in April with a load of well-known wheat.",  # the hyphen kept, no space after it
        "A closing remark."]
    assert extract.reflowed("Short.\nLines.\nOnly.") == "Short.\n\nLines.\n\nOnly."  # nothing ran to a margin


def test_a_pdf_answer_cites_its_text(tmp_path, no_network):
    import rag

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "talks.pdf").write_bytes(make_pdf([PAGE]))
    (folder / "weather.txt").write_text("Oslo was cold in March, with snow on most days of the month.\n")
    s = rag.from_env(env={}, corpus=folder, index=tmp_path / "index", embedder="hash", judge="off")
    idx = rag.open_index(s)
    ans = answer(idx, "Why has the Power of Siberia 2 pipeline not gone ahead?", settings=s)
    assert not ans.abstained and ans.citations[0].doc == "talks.pdf"
    c = ans.citations[0]
    text = idx.articles["talks.pdf"].text
    assert text[c.start:c.end] == c.text and text[c.quote_start:c.quote_end] == c.quote
    assert "have not agreed on the price of the gas to be sent through the Power of Siberia 2" in c.quote


def test_pdf_and_docx_articles(tmp_path):
    import docx
    document = docx.Document()
    document.add_heading("Grain for gas: a new deal between Moscow and Beijing", level=1)
    document.add_paragraph("Russia will send more grain to China from next year, the two governments said.")
    table = document.add_table(rows=2, cols=2)
    for row, (k, v) in zip(table.rows, [("Grain", "8 million tonnes"), ("Gas", "no agreement")]):
        row.cells[0].text, row.cells[1].text = k, v
    document.core_properties.author = "Jane Roe"
    buf = io.BytesIO()
    document.save(buf)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "talks.pdf").write_bytes(make_pdf([PAGE, ["Page two is short."]], title="Pipeline talks"))
    (folder / "deal.docx").write_bytes(buf.getvalue())
    arts = {a.doc: a for a in ingest.load_corpus(folder).articles}
    pdf, word = arts["talks.pdf"], arts["deal.docx"]
    assert "Power of Siberia 2 pipeline, officials said on Monday" in pdf.cleaned()
    assert pdf.title == "Pipeline talks stall"  # the text's own headline before the file's metadata
    assert word.title == "Grain for gas: a new deal between Moscow and Beijing"
    assert word.authors == ("Jane Roe",)  # no byline in the text: the file's author
    assert "Grain; 8 million tonnes" in word.text  # a table row, cells in order
    for a in (pdf, word):
        assert a.sha256 == ingest.file_sha256((folder / a.doc).read_bytes())  # the file's bytes, as for text
        assert all(a.text[s.start:s.end].strip() for s in a.kept)


@pytest.mark.parametrize("name, data, why", [
    ("broken.pdf", b"%PDF-1.4\nthis is not really a PDF\n", "not a readable PDF"),
    ("scan.pdf", make_pdf([[]]), "no text layer"),
    ("broken.docx", b"PK\x03\x04 not a zip", "not a readable Word"),
])
def test_an_unreadable_document_is_skipped_with_a_reason(tmp_path, name, data, why):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / name).write_bytes(data)
    (folder / "ok.txt").write_text("A plain article that can be read, about grain and gas.\n")
    corpus = ingest.load_corpus(folder)
    assert [a.doc for a in corpus.articles] == ["ok.txt"]
    [skipped] = corpus.skipped
    assert skipped.path == name and why in skipped.reason and "\n" not in skipped.reason
    with pytest.raises(CorpusError, match=why):
        extract.extract(data, name)


def test_a_sentence_end_before_a_capital_keeps_its_line_break():
    lines = ["Russia and China have not agreed on the price of the gas, they said.",
             "Grain exports to China rose sharply after the deal was signed in May",
             "of that year."]
    assert extract.reflowed("\n".join(lines)).split("\n\n") == [
        lines[0], "Grain exports to China rose sharply after the deal was signed in May of that year."]


def test_metadata_of_the_wrong_kind_or_a_placeholder_is_ignored():
    assert extract._meta(5, b"\x9f") == {}
    assert extract._meta("Microsoft Word - draft3.docx", "python-docx") == {}
    assert extract._meta("Grain talks", "Jane Roe; John Doe") == {"title": "Grain talks",
                                                                   "authors": ["Jane Roe", "John Doe"]}
    assert extract.printable("a\x00b\ud800c") == "abc"


def test_a_broken_content_stream_is_one_line():
    data = make_pdf([PAGE]).replace(b"/Length", b"/Filter /Bogus /Length", 1)
    with pytest.raises(CorpusError, match="not a readable PDF"):
        extract.extract(data, "bogus.pdf")


def test_pypdf_repairs_to_a_broken_file_are_not_printed(tmp_path):
    data = make_pdf([["Gas talks opened in Moscow today."]])
    broken = tmp_path / "repaired.pdf"  # a wrong table offset: pypdf finds the table itself, and logs it
    broken.write_bytes(data[: data.rindex(b"startxref")] + b"startxref\n9999\n%%EOF\n")
    # In a process of its own: pytest's log capture would hide what a user's terminal shows.
    code = ("from pathlib import Path; from rag import extract; "
            f"print(extract.extract(Path({str(broken)!r}).read_bytes(), 'x.pdf').text)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "Gas talks opened in Moscow today." and done.stderr == ""


def test_what_the_pdf_reader_reports_as_an_error_is_a_warning_of_the_build(tmp_path):
    data = make_pdf([["Gas talks opened in Moscow today."]])
    # A font encoding pypdf does not implement: the text may come out as wrong letters.
    (tmp_path / "odd.pdf").write_bytes(data.replace(b"/BaseFont /Helvetica", b"/BaseFont /Helvetica /Encoding /Bogus"))
    (tmp_path / "plain.pdf").write_bytes(make_pdf([["Oil flowed instead."]]))
    corpus = ingest.load_corpus(tmp_path)
    assert len(corpus.articles) == 2
    [warning] = corpus.warnings  # once, shortened: pypdf's message goes on to list 256 characters
    assert warning.startswith("odd.pdf: the PDF reader reports: Advanced encoding /Bogus not implemented yet")
    assert warning.endswith(" …") and len(warning) < 150


def test_a_password_protected_pdf_says_so():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf([PAGE]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(CorpusError, match="password-protected"):
        extract.extract(buf.getvalue(), "locked.pdf")
    secured = PdfWriter()  # AES with an empty user password: opens like any PDF
    for page in PdfReader(io.BytesIO(make_pdf([PAGE]))).pages:
        secured.add_page(page)
    secured.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    secured.write(buf)
    assert "Power of Siberia 2" in extract.extract(buf.getvalue(), "secured.pdf").text


def test_running_heads_feet_and_page_numbers_are_dropped_and_a_sentence_goes_on_across_pages():
    head = "Trade Review - Moscow edition"
    pages = [[head, *PAGE[:3]], [head, "the talks will go on next year, they said, and grain exports began in",
                                 "the spring.", "- 2 -"], [head, "A closing remark.", "3"]]
    text = extract.extract(make_pdf(pages), "talks.pdf").text
    # The first page's head stays (it may be the headline later pages repeat); the others go.
    assert text.startswith(head) and text.count(head) == 1 and "- 2 -" not in text and not text.endswith("3")
    assert ("officials said on Monday, and the talks will go on next year, they said, and grain exports began "
            "in the spring.") in text  # page 1 stops mid-sentence, page 2 goes on in lower case: one paragraph
    assert text.split("\n\n")[1] == "Pipeline talks stall"  # a line on one page only stays
    assert text.endswith("A closing remark.")
    one = extract.without_running_lines([f"{head}\nOne page only."])  # a lone page has no running lines
    assert one == [f"{head}\nOne page only."]


def test_a_headline_repeated_as_running_head_and_rows_of_figures_stay():
    headline = "Pipeline talks between Russia and China stall again"
    pages = [f"{headline}\nBy Anna Writer\nThe talks went on.\nThe end of the page.",
             f"{headline}\nMore text here.\n2019 1,234 5.6%\n2020 2,345 6.1%",
             "2021 3,456 7.0%\n2022 4,567 7.9%\nThe last words."]
    kept = extract.without_running_lines(pages)
    assert kept[0].startswith(headline) and headline not in kept[1]  # kept where it heads the article
    assert "2020 2,345 6.1%" in kept[1] and kept[2].startswith("2021 3,456 7.0%")  # figures are no running line
    # A book's left and right pages carry different heads, each on fewer than half the pages.
    body = ["Gas talks opened.", "Prices were the sticking point.", "Both sides met again.", "No deal came.",
            "Oil flowed instead.", "Banks grew wary.", "Trade rose anyway."]
    book = [f"{'The Partnership' if n % 2 else 'Chapter 3: Gas'}\n{line}\n{n + 1}" for n, line in enumerate(body)]
    assert [p.splitlines() for p in extract.without_running_lines(book)] == \
        [["Chapter 3: Gas", body[0]]] + [[line] for line in body[1:]]
    # ... but two pages of a side may share a source line or a table's header: kept.
    report = [f"{line}\n{'Source: IMF World Economic Outlook.' if n in (1, 3) else line.upper()}" for n, line in
              enumerate(body[:6])]
    assert extract.without_running_lines(report) == report
    assert extract.joined(["It ended.", "then it went on", "and on-", "ward."]) == "It ended.\n\nthen it went on and on-ward."
