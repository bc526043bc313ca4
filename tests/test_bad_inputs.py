"""Every mistake an author can make: a plain message, the file and line, exit 1, site unchanged.

The bad files live in tests/bad_inputs/ (one per case). Each is dropped into an
otherwise good site that was already built; the build must fail without a
traceback and leave the previous site/ byte-for-byte as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest

from .conftest import REPO, SOUTHEND_FRONT, SiteMaker, page_text, run_cli

BAD = Path(__file__).parent / "bad_inputs"

GOOD_REPORT = (
    SOUTHEND_FRONT.replace("title: June report", "title: Good report").replace(
        "25th June 2021", "28th May 2021"
    )
    + "An introduction.\n"
)

# case -> (file:line[:column] shown, words in the message, words in the fix, --strict?)
CASES: dict[str, tuple[str, str, str, bool]] = {
    "yaml_syntax.md": (
        "yaml_syntax.md:3:18: error",
        "not valid YAML: mapping values are not allowed",
        "Put the whole value in quotes",
        False,
    ),
    "yaml_tab.md": ("yaml_tab.md:5:1: error", "found character", "use spaces", False),
    "unclosed.md": ("unclosed.md:1: error", "never closed", "Add a line with just '---'", False),
    "not_a_mapping.md": ("not_a_mapping.md:2: error", "must be a set of 'key: value'", "", False),
    "wrong_type.md": (
        "wrong_type.md:4:13: error",
        "priorities: expected a list but found the text 'P1 Education",
        "starting with '- '",
        False,
    ),
    "wrong_type_row.md": (
        "wrong_type_row.md:8:9: error",
        "priorities[1].milestones[1]: expected 'key: value' lines",
        "indented under it",
        False,
    ),
    "missing_field.md": (
        "missing_field.md:2:1: error",
        "'priorities' is missing",
        "Add 'priorities:' to the front matter",
        False,
    ),
    "missing_nested_field.md": (
        "missing_nested_field.md:5:5: error",
        "priorities[1]: 'title' is missing",
        "Add 'title:' to this entry",
        False,
    ),
    "unknown_format.md": (
        "unknown_format.md:2:9: error",
        "unknown format 'southend-highlite'",
        "Did you mean 'southend-highlight'?",
        False,
    ),
    "format_misspelt.md": (  # else a plain page: the report's rows silently lost
        "format_misspelt.md:2:1: error",
        "'Format:' is not 'format:', so this file would be published as a plain page",
        "Write it as 'format:' (lower case)",
        False,
    ),
    "format_empty.md": (
        "format_empty.md:2:1: error",
        "'format:' is empty, so this file would be published as a plain page",
        "Name the report's format",
        False,
    ),
    "no_format_strict.md": (
        "no_format_strict.md:3:1: warning",
        "this file has no 'format:', so it is a plain page, but it has a report's "
        "settings, which a page ignores: 'meeting_date', 'priorities'",
        "If it is a report, add the line 'format:'",
        True,
    ),
    "key_is_a_list.md": (  # was a traceback from the YAML position walker
        "key_is_a_list.md:3:1: error",
        "a key must be a word, but this one is a list",
        "Write the key as a word",
        False,
    ),
    "only_spaces.md": (  # was published as an empty row of the tracker
        "only_spaces.md:8:20: error",
        "priorities[1].milestones[1].milestone: has only spaces, no text",
        "Write it after 'milestone:'",
        False,
    ),
    "long_slug.md": (  # was "File name too long" from the build, naming no file
        "long_slug.md:3:7: error",
        "this file's web address would be 260 bytes long: too long for a folder name (at most 255)",
        "Give it a shorter 'slug:', of at most 255 letters",
        False,
    ),
    "format_list.md": (  # was "unknown format '['southend-highlight']'"
        "format_list.md:2:9: error",
        "'format' must be one piece of text, but it is a list",
        "e.g. 'format: northshire-highlight'",
        False,
    ),
    "unknown_status.md": (
        "unknown_status.md:10:14: error",
        "unknown status 'Purple' for the RAG rating",
        "Use one of: Blue, Green, Yellow, Amber, Red",
        False,
    ),
    "bad_code.md": (
        "bad_code.md:5:11: error",
        "priority code 'Priority one' should look like P1",
        "code: P1",
        False,
    ),
    "broken_link.md": (
        "broken_link.md:8: error",
        "the link to 'march-2021.md' goes to a report or page that does not exist",
        "relative to this file",
        False,
    ),
    "dead_link_strict.md": (  # an attachment that was never put beside the report
        "dead_link_strict.md:8: warning",
        "the link to 'Action plan v2.pdf' leads nowhere",
        "put the file in content/ at 'southend/Action plan v2.pdf'",
        True,
    ),
    "non_utf8.md": ("non_utf8.md:3: error", "not UTF-8 text (byte 41 is 0xe9)", "UTF-8", False),
    "empty.md": ("empty.md:1: error", "the file is empty", "delete the file", False),
    "alias_bomb.md": (
        "alias_bomb.md:3: error",
        "too large or too deeply nested",
        "avoid YAML anchors and aliases",
        False,
    ),
    "python_tag.md": ("python_tag.md:3:15: error", "not valid YAML", "Remove the '!!' tag", False),
    "symbols_only_slug.md": (
        "symbols_only_slug.md:3:1: error",
        "web address would be empty",
        "letters and digits",
        False,
    ),
    "duplicate_slug": (
        "duplicate_slug/second.md:3: error",
        "two files would both be published at 'southend/may-report/': "
        "southend/duplicate_slug/first.md and southend/duplicate_slug/second.md",
        "different file name",
        False,
    ),
    "bad_date_strict.md": (
        "bad_date_strict.md:9:23: warning",
        "could not understand the date '31/13/2021'",
        "UK-style",
        True,
    ),
    "unknown_key_strict.md": (
        "unknown_key_strict.md:4:1: warning",
        "unknown key 'reportby' is ignored",
        "Did you mean 'report_by'?",
        True,
    ),
    "impossible_date.md": (
        "impossible_date.md:3:15: error",
        "'2021-02-30' is not a real date",
        "Check the day and the month",
        False,
    ),
    "impossible_due.md": (
        "impossible_due.md:9:23: error",
        "'2021-13-01' is not a real date",
        "year-month-day",
        False,
    ),
    "huge_number.md": (
        "huge_number.md:9:23: error",
        "a number 5,000 characters long",
        "put the value in quotes",
        False,
    ),
    "duplicate_key.md": (
        "duplicate_key.md:11:9: error",
        "'rag' is given twice in the same place, on lines 10 and 11",
        "Delete one of the two 'rag:' lines",
        False,
    ),
    "page.html": (
        "southend/page.html: error",
        "this file is a web page or script, which would run on the intranet",
        "Publish documents as one of: PDF",
        False,
    ),
    "script.js": ("southend/script.js: error", "a web page or script", "save a diagram", False),
    "drawing.svg": ("southend/drawing.svg: error", "a web page or script", "as PNG", False),
    "notes.yml": (
        "southend/notes.yml: error",
        "a '.yml' file, which is not a type sendsite publishes",
        "start its name with '_'",
        False,
    ),
    "fake_pdf.pdf": (
        "southend/fake_pdf.pdf: error",
        "named '.pdf' but its contents are not a PDF file",
        "Export the document again",
        False,
    ),
    "markup.txt": (
        "southend/markup.txt:1: error",
        "this TXT file holds web-page markup",
        "Remove the HTML",
        False,
    ),
    "markup_deep.txt": (  # a text file is read whole, not its first kilobyte
        "southend/markup_deep.txt:41: error",
        "holds web-page markup ('<img…' on line 41)",
        "Remove the HTML",
        False,
    ),
    "markup_utf16.csv": (  # read as the UTF-16 it is, not byte for byte
        "southend/markup_utf16.csv:2: error",
        "this CSV file holds web-page markup ('<a…' on line 2)",
        "Remove the HTML",
        False,
    ),
    "duplicate_code.md": (  # P1 and p1: one code, and one set of anchors for both
        "duplicate_code.md:8:11: error",
        "priority code p1 is already used on line 6",  # as written on its line
        "Give each priority its own code",
        False,
    ),
    "duplicate_id.md": (  # a copied row's id left as it was: matched with the wrong row
        "duplicate_id.md:13:",
        "the id 'm1' is given to two of the report's milestone or action rows (the first on"
        " line 10)",
        "Give each row an id of its own",
        False,
    ),
    "+++": (
        "southend/+++/page.md: error",
        "the folder '+++' would have an empty web address",
        "Rename the folder with letters and digits",
        False,
    ),
}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def built_site(make_site: SiteMaker) -> Path:
    root = make_site({"content/southend/good.md": GOOD_REPORT})
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 0, result.output
    return root


def test_every_case_in_the_folder_is_covered() -> None:
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case: str, built_site: Path) -> None:
    where, message, fix, strict = CASES[case]
    before = _snapshot(built_site / "site")
    source = BAD / case
    target = built_site / "content" / "southend" / case
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    args = ["build", "--source", str(built_site)] + (["--strict"] if strict else [])
    result = run_cli(*args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert where in result.output
    assert message in result.output
    assert "How to fix:" in result.output
    assert fix in result.output
    assert "Nothing was written." in result.output
    assert _snapshot(built_site / "site") == before
    check = run_cli("check", *args[1:])
    assert check.exit_code == 1
    assert message in check.output


def test_oversized_file(built_site: Path) -> None:
    before = _snapshot(built_site / "site")
    big = built_site / "content" / "southend" / "huge.md"
    big.write_text("---\ntitle: x\n---\n" + "All work and no play. " * 120_000)
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 1
    size = big.stat().st_size
    assert f"huge.md: error: the file is {size:,} bytes, over the 2,097,152-byte limit" in (
        result.output
    )
    assert _snapshot(built_site / "site") == before


def test_all_problems_are_reported_in_one_run(built_site: Path) -> None:
    for case in ("unknown_status.md", "wrong_type.md", "empty.md", "unknown_key_strict.md"):
        shutil.copyfile(BAD / case, built_site / "content" / "southend" / case)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    for case in ("unknown_status.md:10:14", "wrong_type.md:4:13", "empty.md:1"):
        assert f"{case}: error" in result.output
    assert "unknown_key_strict.md:4:1: warning" in result.output
    assert "Stopped: 3 errors and 1 warning. Nothing was written." in result.output


def test_many_broken_files_are_all_counted_and_the_first_fifty_shown(built_site: Path) -> None:
    for n in range(130):
        (built_site / "content" / "southend" / f"empty-{n:03}.md").write_text("")
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert result.output.count(": error: ") == 50
    assert "empty-049.md" in result.output and "empty-050.md" not in result.output
    assert "80 more errors, not shown: correct these and run it again to see them." in (
        result.output
    )
    assert "Stopped: 130 errors. Nothing was written." in result.output
    as_json = run_cli("check", "--source", str(built_site), "--json")
    assert len(json.loads(as_json.stdout)["problems"]) == 130


def test_thousands_of_broken_links_stop_at_the_cap_each_with_its_line(built_site: Path) -> None:
    """Every broken link is an error naming its line, up to the cap the summary states;
    the file is read once for them, not once a link (50,000 links took minutes)."""
    links = "".join(f"[{n}](missing-{n}.md)\n\n" for n in range(20_000))
    (built_site / "content" / "notes.md").write_text(f"---\ntitle: Notes\n---\n{links}")
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert "notes.md:4: error: the link to 'missing-0.md' goes to a report" in result.output
    assert "notes.md:102: error: the link to 'missing-49.md'" in result.output
    assert "missing-50.md" not in result.output
    assert "Stopped: 50 errors (stopped counting there). Nothing was written." in result.output


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        (
            "content: contnet\n",
            "sendsite.yml:1: error: option 'content': the content folder 'contnet' does not exist",
        ),
        (
            "content: sendsite.yml\n",
            "sendsite.yml:1: error: option 'content': the content "
            "folder 'sendsite.yml' is not a folder",
        ),
    ],
)
def test_a_mistyped_content_folder_is_an_error_not_an_empty_site(
    built_site: Path, setting: str, problem: str
) -> None:
    before = _snapshot(built_site / "site")
    (built_site / "sendsite.yml").write_text(setting)
    for command in ("build", "check"):
        result = run_cli(command, "--source", str(built_site))
        assert result.exit_code == 1
        assert problem in result.output
    assert _snapshot(built_site / "site") == before  # the last site stays


def test_a_folder_with_no_content_folder_is_not_a_site(tmp_path: Path) -> None:
    result = run_cli("check", "--source", str(tmp_path))
    assert result.exit_code == 1
    assert "error: there is no content folder here:" in result.output
    assert "'sendsite new-area NAME' starts a site's first area" in result.output


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        ("\n", "x.md:1: error: the front matter must start on line 1, but a blank line comes"),
        ("\n \n\n", "x.md:1: error: the front matter must start on line 1, but 3 blank lines"),
        ("----\n", "x.md:1: error: the front matter must start with exactly three dashes"),
        # Before the dashes: a space, a non-breaking one, characters that show nothing.
        (" ---\n", "x.md:1: error: the front matter's '---' must start line 1, but spaces"),
        ("\u00a0---\n", "x.md:1: error: the front matter's '---' must start line 1, but"),
        ("\u200b---\n", "x.md:1: error: line 1 starts with an invisible character (U+200B)"),
        ("---\u200b\n", "x.md:1: error: line 1 has an invisible character (U+200B) beside"),
        ("\ufeff\ufeff---\n", "x.md:1: error: line 1 starts with an invisible character (U+FEFF)"),
    ],
)
def test_front_matter_not_on_line_1_is_an_error_not_a_page(
    built_site: Path, start: str, problem: str
) -> None:
    """Else the report quietly becomes a page showing its settings, and drops out of the
    dashboard, tracker and register."""
    fence = "" if "-" in start else "---\n"  # the start is the fence, or above it
    text = start + fence + GOOD_REPORT.removeprefix("---\n")
    (built_site / "content" / "southend" / "x.md").write_text(text)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert problem in result.output


@pytest.mark.parametrize(
    ("before", "shown"), [("\n  - code: P", "- code: P"), ("\npriorities:", "priorities:")]
)
def test_front_matter_ended_early_by_a_stray_fence_is_an_error(
    built_site: Path, before: str, shown: str
) -> None:
    """A '---' among the settings (before a priority, or a top-level key) left the rest as
    the page's text, shown as settings, and their rows out of every view."""
    text = GOOD_REPORT.replace(before, "\n---" + before, 1)
    assert text != GOOD_REPORT
    (built_site / "content" / "southend" / "x.md").write_text(text)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert "x.md:" in result.output and "error: the front matter ends at line" in result.output
    assert f"but the lines after it are more front matter ('{shown}" in result.output


def test_a_page_with_settings_of_its_own_and_keys_like_format_builds(built_site: Path) -> None:
    """Only a report's settings on a page with no 'format:' are a sign of a lost report;
    'form:' and 'formation:' are not 'format:' misspelt."""
    page = "---\ntitle: Contact us\ndescription: Who to ask\ndate: May 2021\nform: https://x\n"
    (built_site / "content" / "contact.md").write_text(page + "formation: 2019\n---\nText.\n")
    result = run_cli("check", "--source", str(built_site), "--strict")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("setting", "misspelt"),
    [
        ("formal: yes", False),  # a word one letter from 'format', with a page's value
        ("formats: [PDF, Word]", False),
        ("formats: PDF and Word", False),
        ("fromat: southend-highlight", True),
        ("formt: southend-highlght", True),  # one slip from a format too
        ("formats: annual-report", True),  # reads as a format's name
        ("FORMAT: annual report", True),  # 'format' but for its case, whatever follows
    ],
)
def test_a_key_one_letter_from_format_is_an_error_only_if_it_names_a_format(
    built_site: Path, setting: str, misspelt: bool
) -> None:
    page = built_site / "content" / "downloads.md"
    page.write_text(f"---\ntitle: Downloads\n{setting}\n---\nText.\n")
    result = run_cli("check", "--source", str(built_site), "--strict")
    key = setting.split(":")[0]
    assert (result.exit_code, f"'{key}:' is not 'format:'" in result.output) == (
        (1, True) if misspelt else (0, False)
    ), result.output


@pytest.mark.parametrize(
    "start",
    [
        "    Status: draft\n    Owner: Jo Smith\n",  # an indented code block
        "  Summary: the Board agreed the plan.\n",  # an indented paragraph
        "  - Owner: Jo Smith\n  - Due: March\n",  # an indented list
        "Summary: short.\n",
    ],
)
def test_a_text_that_starts_like_settings_is_not_taken_for_them(
    built_site: Path, start: str
) -> None:
    """Even with a rule ('---') further down: only settings the front matter would take
    with it are a stray fence's."""
    text = GOOD_REPORT.replace("An introduction.\n", f"{start}\nMore.\n\n---\n\nEnd.\n")
    (built_site / "content" / "southend" / "good.md").write_text(text)
    result = run_cli("check", "--source", str(built_site), "--strict")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_separator_pasted_into_a_value_is_a_space_and_lines_stay_right(
    built_site: Path, separator: str
) -> None:
    """YAML breaks lines at these invisible characters: the value was split, and every
    later line misnumbered."""
    text = GOOD_REPORT.replace("title: Good report", f"title: Good{separator}report")
    (built_site / "content" / "southend" / "good.md").unlink()  # x.md is it, changed
    (built_site / "content" / "southend" / "x.md").write_text(text, "utf-8")
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 0, result.output
    page = page_text(built_site / "site" / "southend" / "x" / "index.html")
    assert "Good report" in page
    broken = text.replace("rag: Green", "rag: Gren", 1)
    (built_site / "content" / "southend" / "x.md").write_text(broken, "utf-8")
    line = broken[: broken.index("rag: Gren")].count("\n") + 1
    result = run_cli("check", "--source", str(built_site))
    assert f"x.md:{line}:" in result.output and "unknown status 'Gren'" in result.output


@pytest.mark.parametrize(
    ("name", "meant"),
    [("southend/_area.yaml", "_area.yml"), ("southend/_Area.yml", "_area.yml"),
     ("_Glossary.yml", "_glossary.yml"), ("_topics.yaml", "_topics.yml")],
)  # fmt: skip
def test_an_area_or_site_file_under_another_name_is_an_error(
    built_site: Path, name: str, meant: str
) -> None:
    """It was left out without a word: an area published without its council, a site
    without its glossary."""
    before = _snapshot(built_site / "site")
    (built_site / "content" / name).write_text("name: Southend\n")
    for command in ("check", "build"):
        result = run_cli(command, "--source", str(built_site))
        assert result.exit_code == 1
        written = PurePosixPath(name).name
        assert f"{name}: error: sendsite reads '{meant}', not '{written}'" in result.output
        assert f"How to fix: Rename it to {meant}." in result.output
    assert _snapshot(built_site / "site") == before
    (built_site / "content" / name).unlink()  # in a folder left out, it is left out too
    (built_site / "content" / "_archive").mkdir()
    (built_site / "content" / "_archive" / "_area.yaml").write_text("name: X\n")
    assert run_cli("check", "--source", str(built_site)).exit_code == 0


def test_a_key_yaml_would_read_as_a_number_or_yes_is_named_and_placed_as_written(
    built_site: Path,
) -> None:
    """'2021: x' was "unknown key '2021'" at the line above; 'yes: x' was 'True'."""
    text = GOOD_REPORT.replace("title: Good report\n", "title: Good report\n2021: x\nyes: y\n")
    (built_site / "content" / "southend" / "good.md").write_text(text)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 0, result.output
    line = text.splitlines().index("2021: x") + 1
    assert f"good.md:{line}:1: warning: unknown key '2021' is ignored" in result.output
    assert f"good.md:{line + 1}:1: warning: unknown key 'yes' is ignored" in result.output


def test_a_page_may_start_with_a_rule(built_site: Path) -> None:
    page = "\n---\n\nSome words.\n\n---\n\nMore words.\n"
    (built_site / "content" / "about.md").write_text(page)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("setting", "found"),
    [
        ("slug: {a: 1}", "'slug' must be one piece of text, but it is a set of 'key: value'"),
        ("slug: [a, b]", "'slug' must be one piece of text, but it is a list"),
        ("series: [q1, q2]", "'series' must be one piece of text, but it is a list"),
        ("supersedes: yes", "'supersedes' must be one piece of text, but it is yes/no"),
    ],
)
def test_the_core_keys_are_one_piece_of_text(built_site: Path, setting: str, found: str) -> None:
    """Else ``slug: {a: 1}`` published the report at ``a-1/``, with no word said."""
    report = GOOD_REPORT.replace("title: Good report\n", f"title: Good report\n{setting}\n")
    (built_site / "content" / "southend" / "x.md").write_text(report)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert f"x.md:4:{len(setting.split(':')[0]) + 3}: error: {found}" in result.output


def test_a_slug_may_be_a_date_or_a_number(built_site: Path) -> None:
    settings = ("slug: 2021-05-01\nseries: a", "slug: 2021\nseries: b", "series: 2021")
    for n, setting in enumerate(settings):  # each its own series: they share a date
        report = GOOD_REPORT.replace("title: Good report\n", f"title: Good report\n{setting}\n")
        (built_site / "content" / "southend" / f"x{n}.md").write_text(report)
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 0, result.output
    assert (built_site / "site" / "southend" / "2021-05-01" / "index.html").is_file()


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("theme: /etc", "sendsite.yml:1: error: option 'theme': '/etc' is a path, not a theme"),
        ("theme: ../../etc", "option 'theme': '../../etc' is a path, not a theme's name"),
        (
            "theme: mine",
            "sendsite.yml:1: error: option 'theme': the theme folder themes/mine/"
            " has no templates/ folder",
        ),
        (
            "disable_plugins: [veiws]",
            "sendsite.yml:1: error: option 'disable_plugins': there is"
            " no plugin called 'veiws'\n  1 | disable_plugins: [veiws]\n  How to fix: Did you"
            " mean 'views'?",
        ),
        (
            "templates: nosuch",
            "sendsite.yml:1: error: option 'templates': there is no folder 'nosuch'",
        ),
    ],
)
def test_a_mistaken_site_option_is_one_error_at_its_line(
    built_site: Path, setting: str, problem: str
) -> None:
    """Each was taken in silence (a plugin left on, templates never used) or gave forty
    errors naming no file."""
    before = _snapshot(built_site / "site")
    (built_site / "themes" / "mine").mkdir(parents=True)
    (built_site / "sendsite.yml").write_text(setting + "\n")
    for command in ("build", "check"):
        result = run_cli(command, "--source", str(built_site))
        assert result.exit_code == 1
        assert problem in result.output
        assert result.output.count("error:") == 1, result.output
    assert _snapshot(built_site / "site") == before


def test_a_settings_file_that_is_a_folder_is_an_error(built_site: Path) -> None:
    """It was taken for no settings at all: the site built with the defaults, unsaid."""
    (built_site / "sendsite.yml").unlink(missing_ok=True)
    (built_site / "sendsite.yml").mkdir()
    result = run_cli("check", "--source", str(built_site), "--json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["message"] == "sendsite.yml is a folder, not a file of settings"


def test_check_passes_on_good_content(built_site: Path) -> None:
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 0
    assert result.output.strip() == "No errors in 1 report and 0 pages."


def test_offending_line_is_quoted_and_marked(built_site: Path) -> None:
    shutil.copyfile(BAD / "unknown_status.md", built_site / "content" / "southend" / "x.md")
    output = run_cli("check", "--source", str(built_site)).output
    lines = output.splitlines()
    quoted = lines.index("  10 |         rag: Purple")
    assert lines[quoted + 1] == " " * 20 + "^"  # under the P of Purple, column 14


def test_symlink_out_of_the_content_folder_is_refused(built_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("passwords")
    (built_site / "content" / "southend" / "leak.txt").symlink_to(secret)
    before = _snapshot(built_site / "site")
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 1
    assert "leak.txt: error: this is a link to a file outside the content folder" in result.output
    assert _snapshot(built_site / "site") == before


@pytest.mark.parametrize("target", ["nothere.pdf", "loop.pdf"])
def test_a_link_to_nothing_is_called_that(built_site: Path, target: str) -> None:
    """A broken link, or one naming itself, is not 'a file outside the content folder'."""
    (built_site / "content" / "southend" / "loop.pdf").symlink_to(target)
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert "loop.pdf: error: this is a link to nothing" in result.output


@pytest.mark.parametrize(
    ("area", "problem"),
    [
        (
            "havering",
            "havering/r.md:9:15: error: strategy.priorities[2].number: strategy"
            " priority 1 is already used on line 6",
        ),
        (
            "lancashire",
            "lancashire/r.md:12:19: error: glossary[2].abbreviation: glossary entry"
            " APP is already used on line 9",
        ),
    ],
)
def test_a_number_or_abbreviation_given_twice_is_an_error(
    make_site: SiteMaker, area: str, problem: str
) -> None:
    """Each was one anchor twice on the page, every link to the second leading to the
    first (and an id twice fails WCAG 4.1.1)."""
    text = (REPO / "tests" / "fixtures" / "duplicate_anchors" / f"{area}.md").read_text()
    root = make_site({f"content/{area}/r.md": text})
    result = run_cli("check", "--source", str(root))
    assert result.exit_code == 1
    assert problem in result.output


def test_a_sendsite_yml_linked_to_a_file_not_there_is_an_error(built_site: Path) -> None:
    (built_site / "sendsite.yml").unlink(missing_ok=True)
    (built_site / "sendsite.yml").symlink_to("/nonexistent/shared/sendsite.yml")
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 1
    assert "sendsite.yml is a link to '/nonexistent/shared/sendsite.yml', which is not there" in (
        result.output
    )


def test_an_output_link_that_loops_is_a_plain_error(built_site: Path) -> None:
    (built_site / "loop").symlink_to("loop")
    result = run_cli("build", "--source", str(built_site), "--output", str(built_site / "loop"))
    assert result.exit_code == 1
    assert "a symbolic link loops back on itself" in result.output
    assert "Traceback" not in result.output


def test_a_folder_kept_out_is_out_whole_its_area_file_too(make_site: SiteMaker) -> None:
    root = make_site(
        {
            "content/southend/good.md": GOOD_REPORT,
            "content/_southend-drafts/_area.yml": "name: Southend drafts\n",
            "content/_southend-drafts/next.md": GOOD_REPORT,
        }
    )
    result = run_cli("build", "--source", str(root), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["areas"] == 1
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Southend drafts" not in home
    assert not list((root / "site").glob("*drafts*"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "--- # settings\n" + GOOD_REPORT.removeprefix("---\n"),
            "x.md:1: error: the front matter's first line must be '---' alone, not '--- # sett",
        ),
        (
            "--- !!map\n" + GOOD_REPORT.removeprefix("---\n"),
            "x.md:1: error: the front matter's first line must be '---' alone, not '--- !!map'",
        ),
        (
            '+++\nformat = "southend-highlight"\ntitle = "June"\n+++\nText.\n',
            "x.md:1: error: front matter between '+++' lines (TOML) is not read",
        ),
    ],
)
def test_front_matter_of_another_kind_is_an_error_not_a_page(
    built_site: Path, text: str, problem: str
) -> None:
    (built_site / "content" / "southend" / "x.md").write_text(text, encoding="utf-8")
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert problem in result.output


def test_a_report_saved_as_utf16_is_an_error_not_a_page(built_site: Path) -> None:
    (built_site / "content" / "southend" / "x.md").write_bytes(GOOD_REPORT.encode("utf-16-le"))
    result = run_cli("check", "--source", str(built_site))
    assert result.exit_code == 1
    assert "x.md:1: error: this file is saved as UTF-16 (every other byte is empty)" in (
        result.output
    )


def test_a_space_of_no_width_pasted_into_a_key_or_value_is_dropped(built_site: Path) -> None:
    # From a web page or Word: "Green" with a zero-width space after it looks like "Green".
    text = GOOD_REPORT.replace("rag: Green", "rag: Green\u200b", 1).replace(
        "meeting_date:", "series: another\nmeeting\u2060_date:", 1
    )
    assert "\u200b" in text and "\u2060" in text
    (built_site / "content" / "southend" / "x.md").write_text(text, encoding="utf-8")
    result = run_cli("check", "--source", str(built_site), "--strict")
    assert result.exit_code == 0, result.output


def test_a_page_that_starts_with_dashes_and_words_is_a_page(built_site: Path) -> None:
    text = "--- Minutes of the board ---\nDate: 3 March 2021\n\nThe board met.\n"
    (built_site / "content" / "minutes.md").write_text(text, encoding="utf-8")
    result = run_cli("build", "--source", str(built_site))
    assert result.exit_code == 0, result.output
    page = (built_site / "site" / "minutes" / "index.html").read_text(encoding="utf-8")
    assert "The board met." in page
