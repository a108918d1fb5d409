"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr} (single-line msgids).

Usage: python scripts/fill_po.py path/to/django.po translations.json
Existing translations are kept; the fuzzy flag on the header is removed.
"""

from __future__ import annotations

import json
import re
import sys


def fill(po_path: str, translations: dict[str, str]) -> int:
    lines = open(po_path, encoding="utf-8").read().split("\n")
    filled = 0
    for i, line in enumerate(lines):
        match = re.fullmatch(r'msgid "(.*)"', line)
        if not match or i + 1 >= len(lines):
            continue
        msgid = match.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if msgid in translations and lines[i + 1] == 'msgstr ""':
            lines[i + 1] = "msgstr " + json.dumps(translations[msgid], ensure_ascii=False)
            filled += 1
    text = "\n".join(lines).replace("#, fuzzy\nmsgid \"\"", "msgid \"\"")
    open(po_path, "w", encoding="utf-8").write(text)
    return filled


if __name__ == "__main__":
    print(fill(sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))), "filled")
