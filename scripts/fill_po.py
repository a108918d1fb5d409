"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr}.

Usage: python scripts/fill_po.py path/to/django.po translations.json
Existing translations are kept; the fuzzy flag on the header is removed.
"""

from __future__ import annotations

import json
import re
import sys


def _unquote(line: str) -> str:
    return json.loads(line)


def fill(po_path: str, translations: dict[str, str]) -> int:
    lines = open(po_path, encoding="utf-8").read().split("\n")
    filled = 0
    i = 0
    while i < len(lines):
        match = re.fullmatch(r'msgid (".*")', lines[i])
        if not match:
            i += 1
            continue
        msgid = _unquote(match.group(1))
        j = i + 1
        while j < len(lines) and lines[j].startswith('"'):
            msgid += _unquote(lines[j])
            j += 1
        if msgid and msgid in translations and j < len(lines) and lines[j] == 'msgstr ""' and (
            j + 1 >= len(lines) or not lines[j + 1].startswith('"')
        ):
            lines[j] = "msgstr " + json.dumps(translations[msgid], ensure_ascii=False)
            filled += 1
        i = j + 1
    text = "\n".join(lines).replace("#, fuzzy\nmsgid \"\"", "msgid \"\"")
    open(po_path, "w", encoding="utf-8").write(text)
    return filled


if __name__ == "__main__":
    print(fill(sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))), "filled")
