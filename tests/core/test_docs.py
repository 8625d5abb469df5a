"""The docs hold together: every relative link in README.md, docs/ and bench/ leads to a file, and
to a heading of it, that exists; the README stays a short front page and still gives the exact
command CI runs (.ci/run runs "the README's test command")."""

import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_MAX_LINES = 250
CI_COMMAND = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/thementors "
    "REDIS_URL=redis://127.0.0.1:6379/0 python3 dev.py test"
)

# [text](target) and ![alt](target), with an optional "title"; the text may hold one level of [].
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+).*?\1")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
EXTERNAL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


def prose_lines(path: Path):
    """(line number, line) outside fenced code blocks, with inline code spans blanked out."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, CODE_SPAN.sub("", line)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            base = slug(match.group(1))
            name, n = base, 0
            while name in found:  # a repeated heading gets -1, -2…
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def broken_links(path: Path) -> list[str]:
    broken = []
    for number, line in prose_lines(path):
        for target in LINK.findall(line):
            if EXTERNAL.match(target):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / unquote(file_part)).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}:{number}: {target}"
            if not linked.is_relative_to(ROOT) or not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where} (no such heading in {linked.relative_to(ROOT)})")
    return broken


def test_every_relative_link_in_the_docs_leads_to_a_file_and_heading_that_exist():
    files = markdown_files()
    assert len(files) > 3, "the docs were not found"
    broken = [link for path in files for link in broken_links(path)]
    assert broken == [], "broken links:\n" + "\n".join(broken)


def test_the_readme_stays_a_short_front_page():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): move the detail into docs/"
    )


def test_the_readme_gives_the_exact_command_ci_runs():
    assert CI_COMMAND in README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'DATABASE_URL="postgres://postgres@127.0.0.1:${PGPORT}/thementors"' in ci
    assert 'REDIS_URL="redis://127.0.0.1:6379/0"' in ci
    assert re.search(r"^python3 dev\.py test\b", ci, re.MULTILINE)


def test_a_broken_link_or_heading_is_reported_with_its_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "there.md").write_text("# A heading, with punctuation!\n\n## Twice\n\n## Twice\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[fine](there.md#a-heading-with-punctuation) [second](there.md#twice-1) [web](https://x.org)\n"
        "[gone](missing.md) `[in code](missing.md)`\n"
        "```\n[fenced](missing.md)\n```\n"
        "![picture](there.md#no-such-heading) [up and out](../outside.md)\n"
    )
    assert broken_links(page) == [
        "page.md:2: missing.md (no such file)",
        "page.md:6: there.md#no-such-heading (no such heading in there.md)",
        "page.md:6: ../outside.md (no such file)",
    ]
