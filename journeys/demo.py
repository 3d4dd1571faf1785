"""Demo company, part 2: Severny Bank's touchpoint catalogue."""

from django.contrib.auth import get_user_model
from django.db import transaction

from cxhub.org.models import Department

from . import template_library
from .models import Channel, JourneyTemplate
from .services import touchpoint_upsert

# (code, department slug, channel, English name, Russian name)
TOUCHPOINTS: list[tuple[str, str, Channel, str, str]] = [
    (
        "branch-consultation",
        "branches",
        Channel.OFFICE,
        "Branch — consultation desk",
        "Отделение — стойка консультации",
    ),
    ("branch-cash-desk", "branches", Channel.OFFICE, "Branch — cash desk", "Отделение — касса"),
    ("branch-queue", "branches", Channel.OFFICE, "Branch — electronic queue", "Отделение — электронная очередь"),
    ("atm-network", "branches", Channel.SELF_SERVICE, "ATM network", "Сеть банкоматов"),
    ("self-service-kiosk", "branches", Channel.SELF_SERVICE, "Self-service kiosk", "Терминал самообслуживания"),
    ("cc-general", "contact-centre", Channel.PHONE, "Call centre — general line", "Контакт-центр — общая линия"),
    ("cc-complaints", "contact-centre", Channel.PHONE, "Call centre — complaint line", "Контакт-центр — линия жалоб"),
    (
        "cc-card-block",
        "contact-centre",
        Channel.PHONE,
        "Call centre — card blocking",
        "Контакт-центр — блокировка карт",
    ),
    ("app-chat", "contact-centre", Channel.MESSENGER, "Chat in the mobile app", "Чат в мобильном приложении"),
    ("messenger-bot", "contact-centre", Channel.MESSENGER, "Telegram support bot", "Бот поддержки в Telegram"),
    ("support-email", "contact-centre", Channel.EMAIL, "Support e-mail", "Электронная почта поддержки"),
    ("website", "digital", Channel.WEBSITE, "Public website", "Сайт банка"),
    ("web-onboarding", "digital", Channel.WEBSITE, "Online account opening", "Онлайн-открытие счёта"),
    ("internet-bank", "digital", Channel.WEBSITE, "Internet bank", "Интернет-банк"),
    (
        "app-onboarding",
        "digital",
        Channel.MOBILE_APP,
        "Mobile app — sign-up and login",
        "Приложение — регистрация и вход",
    ),
    (
        "app-payments",
        "digital",
        Channel.MOBILE_APP,
        "Mobile app — payments and transfers",
        "Приложение — платежи и переводы",
    ),
    ("card-courier", "cards", Channel.DELIVERY, "Card delivery by courier", "Доставка карты курьером"),
    ("card-dispute-form", "cards", Channel.WEBSITE, "Card dispute form", "Форма оспаривания операции"),
    ("card-settings", "cards", Channel.MOBILE_APP, "Card limits and settings in the app", "Лимиты и настройки карты"),
    ("loan-application", "lending", Channel.WEBSITE, "Online loan application", "Онлайн-заявка на кредит"),
    ("loan-manager", "lending", Channel.OFFICE, "Loan manager meeting", "Встреча с кредитным менеджером"),
    ("mortgage-line", "lending", Channel.PHONE, "Mortgage advisor line", "Линия ипотечного консультанта"),
    ("document-check", "operations", Channel.OTHER, "Document verification", "Проверка документов"),
    ("payment-investigation", "operations", Channel.EMAIL, "Payment investigation", "Розыск платежа"),
    ("account-closure", "operations", Channel.OFFICE, "Account closure", "Закрытие счёта"),
    ("social-vk", "marketing", Channel.SOCIAL_MEDIA, "VK community", "Сообщество ВКонтакте"),
    ("review-sites", "marketing", Channel.SOCIAL_MEDIA, "Review sites", "Сайты отзывов"),
    ("sms-push", "marketing", Channel.MOBILE_APP, "SMS and push notifications", "SMS и push-уведомления"),
    ("marketing-email", "marketing", Channel.EMAIL, "Marketing e-mails", "Маркетинговые рассылки"),
    ("written-complaints", "customer-care", Channel.EMAIL, "Written complaints", "Письменные жалобы"),
    ("complaint-callback", "customer-care", Channel.PHONE, "Complaint callback", "Обратный звонок по жалобе"),
]


@transaction.atomic
def load_touchpoints(*, language: str, departments: dict[str, Department]) -> int:
    """Create or refresh the catalogue; returns how many touchpoints it holds."""
    for code, department_slug, channel, name_en, name_ru in TOUCHPOINTS:
        touchpoint_upsert(
            code=code,
            name=name_ru if language == "ru" else name_en,
            channel=channel,
            department=departments[department_slug],
        )
    return len(TOUCHPOINTS)


def load(*, language: str, small: bool) -> str:
    """The catalogue and the demo journeys, drawn by the demo CX lead (load_demo)."""
    from .demo_journeys import load_journeys

    departments = {department.slug: department for department in Department.objects.all()}
    touchpoints = load_touchpoints(language=language, departments=departments)
    journeys = load_journeys(language=language, actor=get_user_model().objects.get(username="cxlead"))
    templates = template_library.install(JourneyTemplate)  # already there unless the database was emptied
    return f"{touchpoints} touchpoints, {journeys} new journeys, {templates} new templates"
