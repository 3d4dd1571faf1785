"""Small text helpers."""

_RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
# "_" marks ъ and ь, which are dropped.
_LATIN = [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "_", "y", "_", "e", "yu", "ya",
]  # fmt: skip
_CYRILLIC = {ru: ("" if lat == "_" else lat) for ru, lat in zip(_RUSSIAN, _LATIN, strict=True)}


def unidecode_ascii(text: str) -> str:
    """Transliterate Russian letters so codes and slugs made from Russian names stay readable."""
    return "".join(_CYRILLIC.get(ch, _CYRILLIC.get(ch.lower(), ch)) for ch in text)
