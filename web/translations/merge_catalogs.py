#!/usr/bin/env python3
"""git merge driver for gettext catalogs: ``po_merge.py OURS THEIRS [MORE...]`` writes into OURS
the union of the messages by msgid (ours wins, unless ours is untranslated), keeping comments
and the order of first appearance."""
import io
import sys

from babel.messages.pofile import read_po, write_po


def load(path):
    with open(path, "rb") as f:
        return read_po(f, locale="fr")


def main(target, *others):
    merged = load(target)
    for other in others:
        for message in load(other):
            if not message.id:
                continue
            mine = merged.get(message.id, message.context)
            if mine is None:
                merged[message.id] = message
            elif not (mine.string if not isinstance(mine.string, tuple) else all(mine.string)):
                mine.string = message.string
    out = io.BytesIO()
    write_po(out, merged, width=100, omit_header=False, sort_output=False)
    open(target, "wb").write(out.getvalue())


if __name__ == "__main__":
    main(*sys.argv[1:])
