"""The site glossary: one entry per term, its spellings as aliases, one definition each.

The demo's ``content/_glossary.yml`` and the reports' own glossaries define some
terms twice ("SEND", "ND", "CYP"), in other words or other spellings ("SALT",
"SLT", "SaLT"). A reader sees each term once, with the site's definition; what a
report says in other words is shown under it, with the report named.
"""

from __future__ import annotations

import re
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

from sendsite.builtin.search.synonyms import Synonyms
from sendsite.content.glossary import AbbrMarker, acronyms_in, merge_terms
from sendsite.content.model import GlossaryTerm

from .conftest import SiteMaker, fragment_text, run_cli


def _glossary_rows(site: Path) -> list[tuple[str, str, str]]:
    """The glossary page's rows: (id of the term, the term as shown, its definition)."""
    html = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    return [
        (anchor, fragment_text(term), fragment_text(definition))
        for anchor, term, definition in re.findall(
            r'<dt class="glossary__term"(?: id="([^"]+)")?>(.*?)</dt>\s*'
            r'<dd class="glossary__expansion">(.*?)</dd>',
            html,
            re.S,
        )
    ]


def _abbr_titles(site: Path) -> dict[str, set[str]]:
    """Every title each abbreviation is given by the glossary marker, across the site."""
    titles: dict[str, set[str]] = defaultdict(set)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # A report's own list of its abbreviations (Suffolk's) shows its own words.
        html = re.sub(r"<dt><abbr [^>]*>", "", html)
        for title, word in re.findall(r'<abbr title="([^"]*)">([^<]+)</abbr>', html):
            titles[word].add(title)
    return titles


def test_the_glossary_page_lists_each_term_once(demo_site: Path) -> None:
    rows = _glossary_rows(demo_site)
    shown = Counter(term for _, term, _ in rows)
    assert [term for term, n in shown.items() if n > 1] == []
    by_term = {term: definition for _, term, definition in rows}
    # The seven terms that used to be listed twice, each with the site's definition first.
    assert by_term["SEND"].startswith("Special educational needs and disabilities In Lancashire")
    assert "Special Education Needs and/or Disability" in by_term["SEND"]
    assert by_term["ND"].startswith("Neurodevelopmental As in the ND")
    assert "Neuro developmental pathway" in by_term["ND"]
    for term in ("ASD", "CYP", "EHC", "NEET", "SENCO"):
        assert term in shown
    # Same words, other punctuation: one definition, nothing under it.
    assert by_term["NEET"] == "Not in education, employment or training"
    assert by_term["SENCO"] == "Special educational needs co-ordinator"


def test_a_report_defining_a_term_in_other_words_is_named_under_it(demo_site: Path) -> None:
    html = (demo_site / "glossary" / "index.html").read_text(encoding="utf-8")
    entry = html[html.index('id="term-cyp"') :]
    entry = entry[: entry.index("</dd>")]
    assert "Children and young people" in entry
    assert (
        '<p class="glossary__note">In <a href="../lancashire/app-highlight-report-2020-12/">'
        "Lancashire: Accelerated Progress Plan Highlight Report, 31st December 2020</a>: "
        "Children &amp; Young Person / People</p>"
    ) in entry


def test_every_abbreviation_has_one_definition_on_every_page(demo, demo_site: Path) -> None:
    titles = _abbr_titles(demo_site)
    assert titles["SEND"] == {"Special educational needs and disabilities"}
    assert titles["ND"] == {"Neurodevelopmental"}
    assert {word: t for word, t in titles.items() if len(t) > 1} == {}
    # Terms the reports word otherwise keep the site's wording, never "A or B".
    worded_twice = [t for t in demo.glossary if t.also and t.term in titles]
    assert len(worded_twice) >= 5
    assert all(titles[t.term] == {t.expansion} for t in worded_twice)


def test_an_alias_is_marked_and_linked_like_its_term(demo_site: Path) -> None:
    rows = _glossary_rows(demo_site)
    salt = next(r for r in rows if r[1] == "SALT")
    assert salt[0] == "term-salt"
    assert salt[2] == "Speech and language therapy Also written SLT, SaLT"
    slt = next(r for r in rows if r[1] == "SLT")
    assert slt[2] == "See SALT (Speech and language therapy)"
    html = (demo_site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert '<dt class="glossary__term">SLT</dt>' in html
    assert 'See <a href="#term-salt">SALT</a>' in html
    # A page that writes "SLT" marks it with SALT's one definition.
    titles = _abbr_titles(demo_site)
    assert titles["SLT"] == titles["SALT"] == {"Speech and language therapy"}
    assert titles["WSOA"] == titles["WSoA"] == {"Written Statement of Action"}


def test_the_site_glossary_wins_and_reports_wordings_are_kept_under_it() -> None:
    site = GlossaryTerm("SEND", "Special educational needs and disabilities", aliases=("SEN/D",))
    report = GlossaryTerm(
        "SEND", "Special Education Needs and/or Disability", "In the grid", source="Havering: R"
    )
    same = GlossaryTerm("SEND", "Special educational needs & disabilities.", "A note", source="X")
    [merged] = merge_terms([site, report, same])
    assert (merged.term, merged.expansion, merged.description) == (site.term, site.expansion, "")
    assert merged.aliases == ("SEN/D",)
    assert [(o.expansion, o.description, o.source) for o in merged.also] == [
        ("Special Education Needs and/or Disability", "In the grid", "Havering: R")
    ]
    marker = AbbrMarker([merged])
    assert marker.mark("<main><p>SEN/D and SEND</p></main>") == (
        '<main><p><abbr title="Special educational needs and disabilities">SEN/D</abbr> and '
        '<abbr title="Special educational needs and disabilities">SEND</abbr></p></main>'
    )
    # Search still finds either wording from the acronym, its alias, or the other wording.
    aka = Synonyms([merged]).aka("The SEN/D strategy")
    assert "Special educational needs and disabilities" in aka
    assert "Special Education Needs and/or Disability" in aka
    assert "SEND" in aka
    # Spellings that differ only in case are one term, the later one its alias.
    [wsoa] = merge_terms(
        [
            GlossaryTerm("WSoA", "Written Statement of Action"),
            GlossaryTerm("WSOA", "Written statement of action", source="R"),
        ]
    )
    assert (wsoa.term, wsoa.aliases, wsoa.also) == ("WSoA", ("WSOA",), ())


def test_a_term_listed_twice_in_the_glossary_file_is_an_error(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/_glossary.yml": (
                "SALT:\n  expansion: Speech and language therapy\n  aliases: [SLT]\n"
                "SLT: Speech and language therapy\n"
            )
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert (
        "_glossary.yml:4: error: glossary term 'SLT': 'SLT' is already in the glossary, "
        "as 'SALT' or one of its aliases"
    ) in result.output
    assert "list 'SLT' once, as a term or as an alias under 'aliases:'" in result.output


def test_aliases_that_are_not_a_list_of_words_are_an_error(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/_glossary.yml": "EHCP:\n  expansion: Education, Health and Care Plan\n"
            "  aliases: {EHC: plan}\n"
        }
    )
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert (
        "_glossary.yml:3: error: glossary term 'EHCP': aliases must be a list of other ways "
        "to write it"
    ) in result.output


def test_abbr_skips_links_code_and_abbr_in_any_case_and_nesting() -> None:
    marker = AbbrMarker([GlossaryTerm("EHCP", "Education, Health and Care Plan")])
    title = '<abbr title="Education, Health and Care Plan">EHCP</abbr>'
    for inside in (
        '<A HREF="x">EHCP</A>',
        "<Code>EHCP</Code>",
        "<pre><code>x</code> EHCP</pre>",  # still inside <pre> after </code>
        '<abbr title="E">EHCP</abbr>',
        '<select><option value="EHCP">EHCP lead</option></select>',  # text, no markup
        "<option>EHCP lead</option>",  # (a list of suggestions' option too)
        "<a>never closed EHCP",
    ):
        html = f"<main>{inside} and then EHCP</main>"
        expected = html if "never closed" in inside else html.replace("then EHCP", f"then {title}")
        assert marker.mark(html) == expected, inside
    # Not inside a word, a path or a hyphenated name; a self-closing tag opens nothing.
    html = "<main>xEHCP EHCP_ /EHCP -EHCP &EHCP <a/> EHCP</main>"
    assert marker.mark(html) == html.replace("<a/> EHCP", f"<a/> {title}")


def test_unknown_acronyms_are_found_on_their_own_line_whatever_ends_lines() -> None:
    text = (
        "Intro\r\nTOP RISKS AND EHCP\r\nthe WCS is\rnew\nthe SALT team\x0bthe ASD team"
        "\u2028the NHS and the EHCP team\nMcCarron IV"
    )
    assert acronyms_in(text) == {"WCS": 3, "SALT": 5, "ASD": 6, "NHS": 7, "EHCP": 7}
    assert list(acronyms_in(text)) == ["WCS", "SALT", "ASD", "NHS", "EHCP"]


def test_a_pasted_paragraph_as_an_expansion_costs_what_it_weighs() -> None:
    """Every prefix of every expansion was kept for search's synonyms: a 100 KB expansion
    held gigabytes and a 1 MB one killed the build. Only what a text can match is kept
    (ten words, 200 letters); the acronym still finds a term expanded at that length."""
    tracemalloc.start()
    try:
        long = Synonyms([GlossaryTerm("EHCP", "word " * 20_000)])  # 100 KB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak
    assert long.aka("Every EHCP was issued") == ["word " * 19_999 + "word"]
    usual = Synonyms([GlossaryTerm("EHCP", "Education, Health and Care Plan")])
    assert usual.aka("an education health and care plan") == ["EHCP"]
