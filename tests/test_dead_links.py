"""Links and images in content that lead nowhere: a warning at their line, every build.

A relative link to a file that is neither beside the document in content/ nor anywhere
on the published site used to be published as a dead link with no word said. It is now
a warning (an error with --strict), in a cold build, a build from the cache, `check` and
the preview alike; putting the file in place clears it. So is a relative link to a folder
where the site has no page. A link to a page of an attachment (`plan.pdf#page=2`) is
pointed at the attachment's published name, as a link without the `#page=2` always was.
"""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path, PurePosixPath

from sendsite.build.pipeline import Pipeline
from sendsite.config import load_config
from sendsite.plugins.manager import make_plugin_manager

from .conftest import SOUTHEND_FRONT, SiteMaker, run_cli

REPORT = (
    SOUTHEND_FRONT
    + """\
The forward plan is attached: [forward plan](forward-plan.pdf), with
[the handbook](handbook.pdf).

![Map of the area](maps/area.png)

Our stylesheet is [here](../../static/sendsite.css), the changes as
[data](../../data/changes.json), and the council's policy is on the
[intranet](../../../../policies/send-policy.pdf).

Page 2 of [the plan](<Plan v2.pdf#page=2>) has the figures.
The [May report](../may-report/) came before; see [the home page](../../) and [this](../june/).
"""
)


def _attach(folder: Path, *names: str) -> None:
    """A small PDF under each of ``names`` in ``folder``."""
    for name in names:
        (folder / name).write_bytes(b"%PDF-1.4\n%%EOF\n")


def _june(make_site: SiteMaker, text: str, *attached: str) -> tuple[Path, str]:
    """A site of Southend's June report (its front matter, then ``text``) with the PDFs
    ``attached`` beside it, built: its folder and what the build printed."""
    root = make_site({"content/southend/june.md": SOUTHEND_FRONT + text})
    _attach(root / "content" / "southend", *attached)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    return root, result.output


def _site(make_site: SiteMaker) -> Path:
    root = make_site({"content/southend/june.md": REPORT})
    _attach(root / "content" / "southend", "handbook.pdf", "Plan v2.pdf")
    return root


def _preview(root: Path) -> Pipeline:
    """The pipeline the preview keeps for the site at ``root``."""
    config = load_config(root)
    return Pipeline(config, make_plugin_manager(config=config), parallel=False)


def _warnings(output: str) -> list[str]:
    """The warnings' first lines, from the content folder on."""
    return [line[line.index("content/") :] for line in output.splitlines() if ": warning: " in line]


def test_a_dead_link_and_a_dead_image_are_warned_about_at_their_lines(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert _warnings(result.output) == [
        "content/southend/june.md:13: warning: the link to 'forward-plan.pdf' leads nowhere: "
        "there is no such file beside this document, nor on the site",
        "content/southend/june.md:16: warning: the image 'maps/area.png' leads nowhere: "
        "there is no such file beside this document, nor on the site",
        "content/southend/june.md:23: warning: the link to '../may-report/' leads nowhere: "
        "the site has no page there",
    ]
    assert "put the file in content/ at 'southend/forward-plan.pdf'" in result.output
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    assert 'href="forward-plan.pdf"' in page  # left as written
    assert 'href="../handbook.pdf"' in page  # the attachment beside the report: no warning
    assert 'href="../plan-v2.pdf#page=2"' in page  # its published name, the page kept
    # A theme file, a generated export and a link out of the site are not warned about.
    assert 'href="../../static/sendsite.css"' in page
    assert (root / "site" / "data" / "changes.json").is_file()


def test_strict_fails_and_json_lists_the_warnings(make_site: SiteMaker) -> None:
    root = _site(make_site)
    strict = run_cli("build", "--source", str(root), "--strict")
    assert strict.exit_code == 1
    assert "Nothing was written." in strict.output
    assert not (root / "site").exists()
    as_json = run_cli("build", "--source", str(root), "--json")
    report = json.loads(as_json.output)
    assert report["ok"] is True
    dead = [w for w in report["problems"] if "leads nowhere" in w["message"]]
    assert {w["level"] for w in dead} == {"warning"}
    assert [(w["file"], w["line"]) for w in dead] == [
        ("content/southend/june.md", 13),
        ("content/southend/june.md", 16),
        ("content/southend/june.md", 23),
    ], dead


def test_a_build_from_the_cache_still_warns_and_the_missing_file_clears_it(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    assert len(_warnings(run_cli("build", "--source", str(root)).output)) == 3
    again = json.loads(run_cli("build", "--source", str(root), "--json").output)
    assert (again["read"], again["rendered"]) == (0, 0)  # nothing changed: every page kept
    assert [w["line"] for w in again["problems"] if w["level"] == "warning"] == [13, 16, 23]
    _attach(root / "content" / "southend", "forward-plan.pdf")
    fixed = run_cli("build", "--source", str(root))
    assert fixed.exit_code == 0, fixed.output
    assert [w for w in _warnings(fixed.output) if "forward-plan" in w] == []
    assert len(_warnings(fixed.output)) == 2  # the map and the May report are still missing
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    assert 'href="../forward-plan.pdf"' in page  # now the attachment's address
    check = run_cli("check", "--source", str(root))
    assert check.exit_code == 0
    assert "the image 'maps/area.png' leads nowhere" in check.output


def test_the_preview_warns_after_a_save_and_stops_once_the_link_is_fixed(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    live = _preview(root)
    first = live.refresh()
    assert sorted(w.message.split("'")[1] for w in first.warnings) == [
        "../may-report/",
        "forward-plan.pdf",
        "maps/area.png",
    ]
    report = root / "content" / "southend" / "june.md"
    time.sleep(0.01)  # a new modification time, as a real save gives
    report.write_text(REPORT.replace("(forward-plan.pdf)", "(handbook.pdf)"), encoding="utf-8")
    saved = live.refresh(changed=[report])
    june = PurePosixPath("southend/june.md")
    assert [(w.file, w.line) for w in saved.warnings] == [(june, 16), (june, 23)]
    page = saved.files[PurePosixPath("southend/june/index.html")]
    assert isinstance(page, bytes) and b'href="../handbook.pdf">forward plan' in page


def test_warnings_keep_the_pages_order_when_only_some_pages_are_made_again(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    about = root / "content" / "about.md"
    about.write_text("---\ntitle: About\n---\nSee [the old plan](old-plan.pdf).\n", "utf-8")
    cold = _warnings(run_cli("build", "--source", str(root)).output)
    assert (
        sorted(w.split(":")[0] for w in cold)
        == ["content/about.md"] + ["content/southend/june.md"] * 3
    )
    time.sleep(0.01)
    june = root / "content" / "southend" / "june.md"
    june.write_text(REPORT.replace("has the figures", "has the new figures"), "utf-8")
    cached = run_cli("build", "--source", str(root))
    assert _warnings(cached.output) == cold  # june.md's page made again, about.md's kept


ODD_NAMES = (
    """\
---
title: Papers
---
The [annex](big-a.pdf) first, then [the A annex](a.pdf), which is not there.
The [joint paper](A&B.pdf) and the [minutes](<Board minutes.md>).
The [café plan](<café-plan.pdf>) is missing, and [the draft](_draft.pdf) is private.
An [old stylesheet](../static/old.css), and the changes as data:
"""
    + "".join(f"- [changes {n}](../data/changes.json)\n" for n in range(60))
    + """
After all of those, [the last one](last-missing.pdf).
"""
)


def test_odd_names_lines_and_many_good_links_before_a_dead_one(make_site: SiteMaker) -> None:
    root = _site(make_site)  # with a report, so the site has its data exports
    (root / "content" / "papers.md").write_text(ODD_NAMES, "utf-8")
    (root / "content" / "Board minutes.md").write_text("---\ntitle: Minutes\n---\nM.\n", "utf-8")
    _attach(root / "content", "big-a.pdf", "A&B.pdf", "_draft.pdf")
    last = ODD_NAMES.splitlines().index("After all of those, [the last one](last-missing.pdf).")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert [w.split(" leads nowhere")[0] for w in _warnings(result.output)][3:] == [
        "content/papers.md:4: warning: the link to 'a.pdf'",  # not line 4's 'big-a.pdf'
        "content/papers.md:6: warning: the link to 'café-plan.pdf'",  # found encoded
        "content/papers.md:6: warning: the link to '_draft.pdf'",
        "content/papers.md:7: warning: the link to '../static/old.css'",
        f"content/papers.md:{last + 1}: warning: the link to 'last-missing.pdf'",  # after 60
    ]
    assert "'_draft.pdf' is in content/ but not published" in result.output
    assert "it names no file in content/, nor one the site publishes" in result.output
    page = (root / "site" / "papers" / "index.html").read_text("utf-8")
    assert 'href="../a-b.pdf">joint paper' in page  # '&' in the name: the attachment
    assert 'href="../board-minutes/">minutes' in page  # a space in a page's file name


def test_an_attachment_deleted_while_previewing_is_unpublished_and_its_links_warned(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    live = _preview(root)
    before = live.refresh()
    handbook = PurePosixPath("southend/handbook.pdf")
    assert handbook in before.files
    deleted = root / "content" / "southend" / "handbook.pdf"
    deleted.unlink()
    after = live.refresh(changed=[deleted])  # as the watcher tells of a deletion
    assert handbook not in after.files
    page = after.files[PurePosixPath("southend/june/index.html")]
    assert isinstance(page, bytes) and b'href="handbook.pdf"' in page
    assert "handbook.pdf" in {w.message.split("'")[1] for w in after.warnings}


CODE_AND_PROSE = """\
---
title: Guidance
---
Attach the plan as plan.pdf, then link it.

Write `<a href="plan.pdf">the plan</a>` or `![map](gone.png)` in your report, or:

```html
<a href="old-plan.pdf">the plan</a> <img src="gone.png"> <a href="nothere.md">x</a>
```

<span data-href="also-gone.pdf">A span.</span>

Then: [the plan](plan.pdf), and [the PLAN](PLAN.PDF) which is not there.
"""


def test_markup_shown_in_code_is_neither_a_link_nor_rewritten(make_site: SiteMaker) -> None:
    root = make_site({"content/guidance.md": CODE_AND_PROSE})
    _attach(root / "content", "plan.pdf")
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output  # 'nothere.md' in code is no broken link
    # Only the real link, on its own line (not line 4, which names plan.pdf in prose, nor
    # the line of 'plan.pdf', which 'PLAN.PDF' matches but for its case).
    assert _warnings(result.output) == [
        "content/guidance.md:14: warning: the link to 'PLAN.PDF' leads nowhere: "
        "there is no such file beside this document, nor on the site"
    ]
    page = (root / "site" / "guidance" / "index.html").read_text("utf-8")
    assert '<code>&lt;a href="plan.pdf"&gt;the plan&lt;/a&gt;</code>' in page  # as written
    assert 'href="../plan.pdf">the plan</a>, and' in page  # the real link: the attachment


def test_a_page_of_thousands_of_dead_links_says_at_least_how_many_more(
    make_site: SiteMaker,
) -> None:
    links = "".join(f"- [x](gone-{n}.pdf)\n" for n in range(1200))
    root = make_site({"content/many.md": "---\ntitle: Many\n---\n" + links})
    result = run_cli("build", "--source", str(root))
    assert len(_warnings(result.output)) == 50
    assert "at least 950 more links or images lead nowhere" in result.output


def test_the_preview_that_defers_pages_warns_of_a_deleted_attachment_at_once(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    live = _preview(root)
    assert live.refresh(defer=True).warnings  # the serve command's way
    deleted = root / "content" / "southend" / "handbook.pdf"
    deleted.unlink()
    after = live.refresh(defer=True, changed=[deleted])
    assert "handbook.pdf" in {w.message.split("'")[1] for w in after.warnings}


def test_a_link_to_a_part_another_report_lacks_is_warned_about_until_it_is_there(
    make_site: SiteMaker,
) -> None:
    root = _site(make_site)
    notes = root / "content" / "southend" / "notes.md"
    text = "---\ntitle: Notes\n---\nSee [P1](june.md#p1), and [P9](june.md#p9) too.\n"
    notes.write_text(text, "utf-8")
    first = run_cli("build", "--source", str(root))
    assert [w for w in _warnings(first.output) if "notes.md" in w] == [
        "content/southend/notes.md:4: warning: the link to 'june.md#p9' leads to a part of "
        "the page that is not there"
    ]
    assert "copy what the address has after '#'" in first.output
    again = run_cli("build", "--source", str(root))  # from the cache: still said
    assert [w for w in _warnings(again.output) if "notes.md" in w] != []
    time.sleep(0.01)
    notes.write_text(text.replace("#p9", "#p1"), "utf-8")
    fixed = run_cli("build", "--source", str(root))
    assert [w for w in _warnings(fixed.output) if "notes.md" in w] == []
    # The part goes from the other report (its code changed), and notes.md is not read
    # again: its kept link is checked against the page as it is now.
    time.sleep(0.01)
    june = root / "content" / "southend" / "june.md"
    june.write_text(REPORT.replace("code: P1", "code: P2"), "utf-8")
    renamed = run_cli("build", "--source", str(root))
    assert "notes.md:4: warning: the link to 'june.md#p1' leads to a part" in renamed.output


def test_a_link_to_a_part_of_its_own_page_that_is_not_there_is_warned_about(
    make_site: SiteMaker,
) -> None:
    """`[P9](#p9)` on a page with no `p9`: the link goes nowhere, as MkDocs's anchor check
    finds. Links to parts that are there (the report's own code, a heading, the top in
    any case) are not, nor markup shown as text in code; a link in the front matter is."""
    root = make_site(
        {
            "content/southend/june.md": REPORT.replace(
                "milestone: Handbook agreed", "milestone: Handbook agreed (see [P1](#p1))"
            )
            + "\nSee [P1](#p1), [the top](#top), [the Top](#Top), and [P9](#p9).\n\n"
            '<a href="#gone">an old anchor</a>\n\n'
            'Write `<a href="#shown">` in code, or:\n\n```html\n<a href="#block">x</a>\n```\n',
            "content/southend/notes.md": "---\ntitle: Notes\n---\nSee [below](#later).\n\n"
            "## Later\n\nText.\n",
            # Only the front matter links within the page (a priority's narrative).
            "content/southend/july.md": REPORT.replace("June", "July").replace(
                "    milestones:", "    narrative: See [P7](#p7).\n    milestones:"
            ),
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    parts = [w for w in _warnings(result.output) if "leads to a part" in w]
    assert parts == [  # the site's order of pages: the newest report first
        "content/southend/july.md:8: warning: the link to '#p7' leads to a part of the page "
        "that is not there",
        "content/southend/june.md:25: warning: the link to '#p9' leads to a part of the page "
        "that is not there",
        "content/southend/june.md:27: warning: the link to '#gone' leads to a part of the page "
        "that is not there",
    ]
    # The links are published as written: only the warning is new.
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    assert 'href="#p9"' in page and 'href="#p1"' in page
    strict = run_cli("build", "--source", str(root), "--strict")
    assert strict.exit_code != 0 and "'#p9' leads to a part" in strict.output


def test_links_into_what_the_build_writes_after_the_check_are_not_warned_about(
    make_site: SiteMaker,
) -> None:
    """The search index (`pagefind/`) and the word lists are written after the links are
    checked: a link into them is not taken for a dead one. On a site without search,
    where they are never written, it is."""
    body = (
        "\nThe [search runtime](../../pagefind/pagefind.js) and the "
        "[word list](../../search/words/a.json); [a missing one](../../nowhere/x.json).\n"
    )
    root = make_site({"content/southend/june.md": REPORT + body})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    warned = " ".join(_warnings(result.output))
    assert "pagefind.js" not in warned and "a.json" not in warned
    assert "the link to '../../nowhere/x.json' leads nowhere" in warned
    assert (root / "site" / "pagefind" / "pagefind.js").is_file()
    assert (root / "site" / "search" / "words" / "a.json").is_file()

    (root / "sendsite.yml").write_text("title: T\ndisable_plugins: [views]\n", "utf-8")
    unsearched = run_cli("build", "--source", str(root))
    assert unsearched.exit_code == 0, unsearched.output
    assert not (root / "site" / "pagefind").exists()
    warned = " ".join(_warnings(unsearched.output))
    assert "the link to '../../pagefind/pagefind.js' leads nowhere" in warned
    assert "the link to '../../search/words/a.json' leads nowhere" in warned


def test_a_link_with_no_extension_is_checked_as_a_folder_page(make_site: SiteMaker) -> None:
    """`../april-report` (no extension, no slash): a web server answers it with the folder's
    page, so it is dead where the site has none; `../../tracker` and `..` are fine."""
    root = make_site(
        {
            "content/southend/june.md": REPORT
            + "\nSee the [tracker](../../tracker), [the area](..) and [April](../april-report).\n"
            # Spaces around an address, which browsers drop.
            + '\nAlso <a href=" ../../tracker/ ">this</a>, <a href=" .. ">that</a>, '
            '<a href=" /policies/ ">the policies</a> and <a href=" ../march/ ">March</a>.\n',
        }
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    warned = [w for w in _warnings(result.output) if ":25:" in w or ":27:" in w]
    assert warned == [
        "content/southend/june.md:25: warning: the link to '../april-report' leads nowhere: "
        "the site has no page there",
        "content/southend/june.md:27: warning: the link to '../march/' leads nowhere: "
        "the site has no page there",
    ]
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    assert 'href="../../tracker"' in page and 'href="../april-report"' in page


def test_a_link_cut_short_by_a_hash_in_a_file_name_says_why(make_site: SiteMaker) -> None:
    """`<My Doc#2.pdf>` links to "My Doc", part "2.pdf": the fix names the file it missed
    and how to write the link; written with %23, it leads to the file."""
    root, output = _june(make_site, "\nThe [old plan](<Plan#2.pdf>).\n", "Plan#2.pdf")
    assert _warnings(output) == [
        "content/southend/june.md:14: warning: the link to 'Plan' leads nowhere: "
        "the site has no page there"
    ]
    assert "'Plan#2.pdf' is beside it in content/, but in a link '#' starts a part" in (
        " ".join(output.split())
    )
    assert "('Plan%232.pdf')" in output
    (root / "content" / "southend" / "june.md").write_text(
        SOUTHEND_FRONT + "\nThe [old plan](Plan%232.pdf).\n", "utf-8"
    )
    fixed = run_cli("build", "--source", str(root))
    assert fixed.exit_code == 0, fixed.output
    assert _warnings(fixed.output) == []
    page = (root / "site" / "southend" / "june" / "index.html").read_text("utf-8")
    assert 'href="../plan-2.pdf"' in page  # the attachment, under its published name


def test_a_link_cut_short_is_placed_at_its_own_line_not_at_one_already_mended(
    make_site: SiteMaker,
) -> None:
    text = "\nThe [plan](Plan%232.pdf), [its notes](Plan.pdf).\n\nThe [old plan](Plan#2.pdf).\n"
    _, output = _june(make_site, text, "Plan#2.pdf", "Plan.pdf")
    assert _warnings(output) == [
        "content/southend/june.md:16: warning: the link to 'Plan' leads nowhere: "
        "the site has no page there"
    ]
    assert "  16 | The [old plan](Plan#2.pdf)." in output


def test_a_link_with_a_space_in_its_address_is_warned_of(make_site: SiteMaker) -> None:
    """Markdown shows `[the plan](Plan v2.pdf)` as its text: no link, no word said."""
    text = (
        '\nThe [plan](Plan v2.pdf), [the same](<Plan v2.pdf>), [titled](plan.pdf "p.2").\n'
        "\n```\n[in code](a b.pdf)\n```\n"
    )
    _, output = _june(make_site, text, "Plan v2.pdf", "plan.pdf")
    assert _warnings(output) == [
        "content/southend/june.md:14: warning: the link to 'Plan v2.pdf' is shown as text: "
        "a space ends a link's address"
    ]
    assert "Put the address in angle brackets: (<Plan v2.pdf>)." in output


def test_a_link_whose_accents_are_stored_otherwise_finds_its_file(make_site: SiteMaker) -> None:
    # The file as macOS names it ('e' and an accent), the link as typed ('é'): one name.
    decomposed = unicodedata.normalize("NFD", "café plan.pdf")
    root, output = _june(make_site, "See [the plan](<café plan.pdf>).\n", decomposed)
    assert _warnings(output) == []
    page = (root / "site" / "southend" / "june" / "index.html").read_text(encoding="utf-8")
    assert 'href="../cafe-plan.pdf">the plan</a>' in page


def test_a_link_whose_capitals_differ_from_its_files_says_which(make_site: SiteMaker) -> None:
    _, output = _june(make_site, "See [the plan](plan.pdf).\n", "Plan.pdf")
    [warning] = _warnings(output)
    assert "link to 'plan.pdf' leads nowhere" in warning
    assert "How to fix: Did you mean 'Plan.pdf'? A link's file name must match its capitals." in (
        output
    )
