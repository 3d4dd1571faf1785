"""Small text helpers."""

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)


def unidecode_ascii(text: str) -> str:
    """Transliterate Russian letters so codes and slugs made from Russian names stay readable."""
    return "".join(_CYRILLIC.get(ch, _CYRILLIC.get(ch.lower(), ch)) for ch in text)
