"""Demo company, part 1: Severny Bank's departments and people (one user per role)."""

from dataclasses import dataclass

from django.db import transaction

from .models import Department
from .roles import Role
from .services import department_upsert, user_ensure

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoDepartment:
    slug: str
    name: dict[str, str]
    description: dict[str, str]
    head_name: dict[str, tuple[str, str]]


DEPARTMENTS: list[DemoDepartment] = [
    DemoDepartment(
        "branches",
        {"en": "Branch network", "ru": "Сеть отделений"},
        {"en": "42 branches: consultations, cash desks, queues.", "ru": "42 отделения: консультации, кассы, очереди."},
        {"en": ("Olga", "Smirnova"), "ru": ("Ольга", "Смирнова")},
    ),
    DemoDepartment(
        "contact-centre",
        {"en": "Contact centre", "ru": "Контакт-центр"},
        {"en": "Phone lines, chat and messenger support, 24/7.", "ru": "Телефонные линии, чат и мессенджеры, 24/7."},
        {"en": ("Dmitry", "Kuznetsov"), "ru": ("Дмитрий", "Кузнецов")},
    ),
    DemoDepartment(
        "digital",
        {"en": "Digital channels", "ru": "Цифровые каналы"},
        {"en": "Website, internet bank and mobile app.", "ru": "Сайт, интернет-банк и мобильное приложение."},
        {"en": ("Maria", "Lebedeva"), "ru": ("Мария", "Лебедева")},
    ),
    DemoDepartment(
        "cards",
        {"en": "Card services", "ru": "Карточный бизнес"},
        {
            "en": "Card issuing, delivery, limits and disputes.",
            "ru": "Выпуск, доставка, лимиты и оспаривание операций.",
        },
        {"en": ("Sergey", "Popov"), "ru": ("Сергей", "Попов")},
    ),
    DemoDepartment(
        "lending",
        {"en": "Lending", "ru": "Кредитование"},
        {"en": "Consumer loans and mortgages.", "ru": "Потребительские кредиты и ипотека."},
        {"en": ("Elena", "Morozova"), "ru": ("Елена", "Морозова")},
    ),
    DemoDepartment(
        "operations",
        {"en": "Operations", "ru": "Операционный департамент"},
        {
            "en": "Back office: document checks, payment investigations, account closure.",
            "ru": "Бэк-офис: проверка документов, розыск платежей, закрытие счетов.",
        },
        {"en": ("Alexey", "Volkov"), "ru": ("Алексей", "Волков")},
    ),
    DemoDepartment(
        "marketing",
        {"en": "Marketing and communications", "ru": "Маркетинг и коммуникации"},
        {"en": "Campaigns, social media, notifications.", "ru": "Кампании, соцсети, уведомления."},
        {"en": ("Irina", "Novikova"), "ru": ("Ирина", "Новикова")},
    ),
    DemoDepartment(
        "customer-care",
        {"en": "Customer care", "ru": "Служба заботы о клиентах"},
        {"en": "Written complaints and complaint callbacks.", "ru": "Письменные жалобы и обратные звонки по жалобам."},
        {"en": ("Pavel", "Sokolov"), "ru": ("Павел", "Соколов")},
    ),
]

PEOPLE = {
    "cxlead": ({"en": ("Anna", "Orlova"), "ru": ("Анна", "Орлова")}, [Role.CX_LEAD], False),
    "executive": ({"en": ("Viktor", "Belov"), "ru": ("Виктор", "Белов")}, [Role.EXECUTIVE], False),
    "admin": ({"en": ("System", "Administrator"), "ru": ("Системный", "администратор")}, [Role.ADMIN], True),
}


@transaction.atomic
def load_people_and_departments(*, language: str) -> dict[str, Department]:
    """Create or refresh the demo users (password "demo" when new) and departments; returns them by slug."""
    for username, (names, roles, is_admin) in PEOPLE.items():
        first, last = names[language]
        user_ensure(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@severny-bank.example",
            roles=roles,
            initial_password=DEMO_PASSWORD,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
    departments = {}
    for spec in DEPARTMENTS:
        first, last = spec.head_name[language]
        head = user_ensure(
            username=f"head-{spec.slug}",
            first_name=first,
            last_name=last,
            email=f"head-{spec.slug}@severny-bank.example",
            roles=[Role.DEPARTMENT_HEAD],
            initial_password=DEMO_PASSWORD,
        )
        departments[spec.slug] = department_upsert(
            slug=spec.slug, name=spec.name[language], description=spec.description[language], head=head
        )
    return departments


def load(*, language: str, small: bool) -> str:
    """The demo's first part (load_demo runs each app's `demo.load` in INSTALLED_APPS order)."""
    departments = load_people_and_departments(language=language)
    return (
        f"{len(departments)} departments, users cxlead, executive, admin and head-<department> "
        f"(password '{DEMO_PASSWORD}' for new users)"
    )
