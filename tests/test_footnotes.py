"""Footnotes (`[^1]` in the text, `[^1]: The note.` below it), as GitHub and Hugo write them.

Before, they showed as their brackets. Now each is a numbered link to its note at the
end of its block of Markdown, and back. A report page holds several blocks (the
introduction, each priority's narrative), each numbering its notes from 1: every note
keeps an id of its own, so each number leads to its own note. A note's number is not
a word of the text in the search index or the data exports.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from typing import Any

import pytest

from sendsite.builtin.search.text import split_text
from sendsite.content.glossary import acronyms_in
from sendsite.content.markdown import plain_text, render_markdown

from .conftest import SOUTHEND_FRONT, SiteMaker, run_cli
from .test_accessibility import _Quiet, axe_and_reflow_failures

NOTE = (
    "A waiting list of 300[^1] and a new panel[^panel].\n\n"
    "[^1]: In March 2021.\n[^panel]: The *SEND* panel.\n"
)

REPORT = (
    SOUTHEND_FRONT.replace(
        "    milestones:",
        '    narrative: "Plans were late[^1].\\n\\n[^1]: Ten of them."\n    milestones:',
    )
    + "The list grew[^1].\n\n[^1]: Since April.\n"
)


def test_a_footnote_links_to_its_note_and_back() -> None:
    html = str(render_markdown(NOTE))
    refs = re.findall(r'<sup class="footnote-ref"><a href="#([^"]+)" id="([^"]+)"', html)
    assert [ref for ref, _ in refs] == re.findall(r'<li id="([^"]+)"', html)
    backs = re.findall(
        r'<a href="#([^"]+)" class="footnote-backref">↩'
        r'<span class="visually-hidden"> ([^<]+)</span></a>',
        html,
    )
    assert backs == [(back, f"Back to reference {n}") for n, (_, back) in enumerate(refs, 1)]
    assert '<section class="footnotes">' in html
    assert "<em>SEND</em>" in html and "[^" not in html
    assert "data-footnote" not in html  # only what the sanitizer lets through


def test_the_same_text_gets_the_same_ids_and_another_text_other_ids() -> None:
    first, again = str(render_markdown(NOTE)), str(render_markdown(NOTE))
    other = str(render_markdown(NOTE.replace("300", "310")))
    assert first == again
    assert set(re.findall(r'id="([^"]+)"', first)).isdisjoint(re.findall(r'id="([^"]+)"', other))


def test_a_second_link_to_a_note_and_a_note_labelled_like_it_keep_their_own_ids() -> None:
    # cmark-gfm names the second link to note 1 "fnref-1-2", as it names the first link to
    # a note labelled "1-2": the page had one id twice, and that note's link back led to
    # the wrong place. Notes are named by their numbers instead.
    html = str(render_markdown("A[^1], B[^1] and C[^1-2].\n\n[^1]: One.\n[^1-2]: Two.\n"))
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 5  # three links, two notes
    refs = re.findall(r'<a href="#([^"]+)" id="([^"]+)"', html)
    assert [target for target, _ in refs] == [ids[3], ids[3], ids[4]]  # to notes 1, 1, 2
    notes = html.split("<li ")[1:]
    backs = [re.findall(r'<a href="#([^"]+)" class="footnote-backref">', n) for n in notes]
    assert backs == [[refs[0][1], refs[1][1]], [refs[2][1]]]  # each back to its own link


def test_a_note_s_number_in_a_link_s_text_follows_the_link() -> None:
    # cmark-gfm writes the number, itself a link, inside the link: a browser splits the
    # two, leaving an empty superscript and the number as plain text beside it.
    html = str(render_markdown("Read [the plan[^1]](https://example.org/p) now.\n\n[^1]: May.\n"))
    link = '<a href="https://example.org/p">the plan</a><sup class="footnote-ref"><a href="#fn-'
    assert link in html
    assert html.count("<sup") == 1 and '<sup class="footnote-ref"></sup>' not in html


@pytest.mark.parametrize(
    "text",
    [
        "A[^1], B[^1] and C[^1-2].\n\n[^1]: One.\n[^1-2]: Two.\n",
        # A link's start where it is not a tag: numbers after it were dropped.
        'Text <!-- <a href="https://old"> --> more[^1].\n\nLater[^2].\n\n[^1]: A\n[^2]: B\n',
        "Text <![CDATA[ <a ]]> more[^1].\n\n[^1]: A\n",
        'Text <span title="<a b">x</span> more[^1].\n\n[^1]: A\n',
        'See <A href="https://x">the plan[^1]</A> here.\n\n[^1]: A\n',  # capitals
        # Labels cmark-gfm writes alike (é is %C3%A9): two notes all the same.
        "t[^%C3%A9] u[^é]\n\n[^%C3%A9]: A\n[^é]: B\n",
    ],
    ids=["second-link-and-label", "comment", "cdata", "attribute", "capitals", "same-ids"],
)
def test_every_number_keeps_its_superscript_and_every_link_its_own_target(text: str) -> None:
    html = str(render_markdown(text))
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r'href="#([^"]+)"', html)) <= set(ids)
    numbers = re.findall(
        r'<sup class="footnote-ref"><a href="#([^"]+)"[^>]*>([0-9]+)</a></sup>', html
    )
    assert len(numbers) == text.count("[^") - text.count("\n[^")  # none dropped, none split
    notes = re.findall(r'<li id="([^"]+)"', html)
    assert all(target == notes[int(shown) - 1] for target, shown in numbers)


def test_an_author_s_own_fn_ids_and_a_heading_s_id_are_left_alone() -> None:
    text = (
        '<ul><li id="fn-intro">Mine</li></ul>\n\n## Waiting times[^1]\n\n'
        "[back](#fn-intro) t[^2]\n\n[^1]: A\n[^2]: B\n"
    )
    html = str(render_markdown(text))
    assert '<li id="fn-intro"' in html and 'href="#fn-intro"' in html
    assert '<h2 id="waiting-times"' in html  # a note's number is not a word of it
    notes = re.findall(r'<li id="(fn-[0-9a-f]+-[0-9]+)"', html)
    assert len(notes) == 2


def test_a_reference_to_no_note_stays_as_written() -> None:
    assert str(render_markdown("No note[^9] here.")) == "<p>No note[^9] here.</p>\n"


def test_a_note_s_number_is_not_a_word_of_the_text() -> None:
    """Not in the data exports and tables (``plain_text``), nor in the search index."""
    words = "A waiting list of 300 and a new panel. In March 2021. The SEND panel."
    assert plain_text(NOTE) == words
    assert split_text(f"<main>{render_markdown(NOTE)}</main>", ()) == {"": words}


def test_only_the_notes_own_ids_and_links_are_renamed() -> None:
    """An author's file or id that starts like a note's is left as written, and a note
    whose number is in an image's text (not a link there) gets no link back to nowhere."""
    html = str(
        render_markdown(
            'See [the funding notes](fn-notes.md)[^1], <span id="fn-x">here</span> and '
            "![Chart[^c]](https://example.com/chart.png).\n\n[^1]: Ten.\n[^c]: Source.\n"
        )
    )
    assert 'href="fn-notes.md"' in html and 'id="fn-x"' in html
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert set(re.findall(r'href="#([^"]+)"', html)) <= ids
    assert len(re.findall(r'class="footnote-backref"', html)) == 1


def test_a_link_s_name_is_its_text_not_an_aria_label() -> None:
    """Only a note's link back has a name beyond its text (hidden text, not ``aria-label``):
    an author's ``aria-label`` is dropped, and a link whose address was taken away is
    still plain text."""
    html = str(render_markdown('<a aria-label="Plan" href="javascript:alert(1)">Read</a>'))
    assert html == "<p><span>Read</span></p>\n"
    assert "aria-label" not in str(render_markdown('<a aria-label="x" href="a.pdf">A</a>'))


def test_a_note_s_label_is_not_an_abbreviation_and_a_note_used_twice_ends_a_phrase() -> None:
    assert acronyms_in("The rate[^ONS] rose.\n\n[^ONS]: From a survey.\n") == {}
    twice = "a[^1] and b[^1].\n\n[^1]: In March 2021\n"
    assert split_text(f"<main>{render_markdown(twice)}</main>", ()) == {
        "": "a and b. In March 2021."
    }


def test_two_blocks_of_one_report_page_keep_their_own_notes(make_site: SiteMaker) -> None:
    root = make_site({"content/southend/june.md": REPORT})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    refs = re.findall(r'<sup class="footnote-ref"><a href="#([^"]+)"', page)
    assert len(refs) == 2 and len(set(refs)) == 2
    for ref, note in zip(refs, ("Since April.", "Ten of them."), strict=False):
        assert re.search(rf'<li id="{ref}">\s*<p>{note} <a href="#fnref-', page), ref
    assert sorted(refs) == sorted(re.findall(r'<li id="([^"]+)"', page))


def test_notes_named_in_any_script_are_not_taken_for_dead_links(make_site: SiteMaker) -> None:
    """cmark-gfm names the note ``[^café]`` ``fn-caf%C3%A9``; the site names it by its
    number, and the check of links within the page (which runs here: the page has one)
    finds it."""
    body = "\nSee [P1](#p1); café[^café].\n\n[^café]: Le café.\n"
    root = make_site({"content/southend/june.md": REPORT + body})
    result = run_cli("build", "--source", str(root), "--strict")
    assert result.exit_code == 0, result.output
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    note = re.search(r'<li id="(fn-[0-9a-f]+-[0-9]+)">\s*<p>Le café\.', page)
    assert note and f'<a href="#{note[1]}" id="fnref-' in page


def test_a_page_with_notes_passes_axe_and_reflows(make_site: SiteMaker, browser: Any) -> None:
    root = make_site({"content/southend/june.md": REPORT})
    assert run_cli("build", "--source", str(root)).exit_code == 0
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        assert axe_and_reflow_failures(browser, base, ["southend/june/"]) == []
    finally:
        server.shutdown()
        server.server_close()
