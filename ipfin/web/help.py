"""User help per role group, rendered from the Markdown files in ``docs/help/`` (one source of truth).

Rendering is safe by construction: markdown-it-py with raw HTML disabled escapes any tag in the file and
refuses ``javascript:`` links, so a help page can never inject script. Each file ends with a section
headed ``## English summary``; the Chinese UI shows what comes before it, the English UI shows it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ENGLISH_MARKER = "## English summary"


def help_dir() -> Path:
    return Path(getattr(settings, "IPFIN_HELP_DIR", settings.BASE_DIR / "docs" / "help"))


@lru_cache(maxsize=64)
def _render(path: Path, mtime_ns: int, english_title: str | None) -> str:
    text = path.read_text(encoding="utf-8")
    chinese, _marker, summary = text.partition(ENGLISH_MARKER)
    # English UI: the page's English title over the summary (a file without one shows its Chinese text).
    source = f"# {english_title}\n{summary}" if english_title is not None and summary.strip() else chinese
    markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    html = markdown.render(source)
    return html.replace("<table>", '<table class="table table-sm table-bordered">')


def render_help(page: str, language_code: str, title: str) -> SafeString:
    """The help page ``page`` (a stem of ``docs/help/*.md``) as HTML for the UI language.

    ``title`` heads the English summary (the Chinese text brings its own title).
    """
    path = help_dir() / f"{page}.md"
    english_title = None if language_code.startswith("zh") else title
    return mark_safe(_render(path, path.stat().st_mtime_ns, english_title))  # noqa: S308 (escaped by markdown-it)
