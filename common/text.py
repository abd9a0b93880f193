"""Chinese text helpers for what people read."""

import re

OPEN, CLOSE = "\u201c", "\u201d"  # “ ”
QUOTED = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")


def inner_quotes(value) -> str:
    """A value shown inside “…” keeps its own quotes as ‘…’ (issue #15 item 5: quotes are not
    nested in quotes of the same kind): ``“迎双节”文化活动`` → ``‘迎双节’文化活动``."""
    text = "" if value is None else str(value)
    if OPEN not in text and CLOSE not in text:
        return text
    text = QUOTED.sub(r"‘\1’", text)
    return text.replace(OPEN, "‘").replace(CLOSE, "’")
