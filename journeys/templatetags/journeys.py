from django import template

register = template.Library()


@register.filter
def signed(value: int) -> str:
    """Emotion scores read better with their sign: +2, 0, −1 (a real minus sign)."""
    value = int(value)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{abs(value)}"
    return "0"
