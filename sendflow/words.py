"""Words no app owns."""


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 message", "3 messages", "0 messages": a count in words, never "message(s)"."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"
