"""Demo company, part 4: Severny Bank's research and the barriers it found, in every workflow state."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from cxhub.notifications.models import Notification
from journeys.demo_journeys import CARD_DELIVERY, DISPUTE, OPEN_ACCOUNT, DemoJourney
from journeys.models import Step

from .models import Barrier, BarrierType, Evidence, Method
from .services import barrier_create, barrier_transition, barrier_update, comment_add, study_create


@dataclass
class DemoStudy:
    key: str
    method: str
    start_days_ago: int
    end_days_ago: int
    en: tuple[str, str]  # title, summary
    ru: tuple[str, str]


STUDIES = [
    DemoStudy(
        "interviews",
        Method.INTERVIEWS,
        80,
        40,
        (
            "Entrepreneur interviews, autumn",
            "14 in-depth interviews with owners of cafés, workshops and shops who opened an account in the last "
            "six months, or chose another bank. One hour each, recorded and transcribed.",
        ),
        (
            "Интервью с предпринимателями, осень",
            "14 глубинных интервью с владельцами кафе, мастерских и магазинов, открывших счёт за последние "
            "полгода или выбравших другой банк. По часу, с записью и расшифровкой.",
        ),
    ),
    DemoStudy(
        "mystery",
        Method.MYSTERY_SHOPPING,
        45,
        20,
        (
            "Mystery shopping, wave 3: onboarding and card disputes",
            "32 visits and 60 calls by trained shoppers: opening a business account, disputing a card charge, "
            "ordering a card. Checklists and call recordings attached.",
        ),
        (
            "Тайный покупатель, волна 3: открытие счёта и оспаривание операций",
            "32 визита и 60 звонков подготовленных тайных покупателей: открытие расчётного счёта, оспаривание "
            "списания, заказ карты. Чек-листы и записи звонков приложены.",
        ),
    ),
    DemoStudy(
        "social",
        Method.SOCIAL_MEDIA,
        120,
        30,
        (
            "Social-media monitoring, third quarter",
            "Mentions of the bank in VK, Telegram channels and review sites: 1,840 posts, 312 of them complaints, "
            "coded by topic and journey step.",
        ),
        (
            "Мониторинг соцсетей, третий квартал",
            "Упоминания банка во ВКонтакте, Telegram-каналах и на сайтах отзывов: 1 840 публикаций, из них 312 "
            "жалоб, размечены по темам и шагам пути.",
        ),
    ),
]


@dataclass
class DemoBarrier:
    journey: DemoJourney
    stage: int
    step: int
    type: str
    severity: int
    study: str
    status: str  # where the demo leaves it
    due_in_days: int | None  # negative: already overdue
    en: tuple[str, str, str, str]  # title, description, evidence, evidence source
    ru: tuple[str, str, str, str]
    customers_affected: int | None = None


T = BarrierType
BARRIERS = [
    DemoBarrier(
        OPEN_ACCOUNT,
        2,
        0,
        T.SERVICE_FAILURE,
        4,
        "interviews",
        "in_progress",
        -6,
        (
            "Document check takes four days instead of one",
            "Business applications wait in a shared queue with retail ones; nobody owns the deadline.",
            "I had the premises, the staff, the till — and no account for a week. I nearly went to another bank.",
            "Interview 3, café owner",
        ),
        (
            "Проверка документов занимает четыре дня вместо одного",
            "Заявки бизнеса стоят в общей очереди с розничными; за срок никто не отвечает.",
            "Помещение есть, сотрудники есть, касса есть — а счёта нет неделю. Чуть не ушёл в другой банк.",
            "Интервью 3, владелец кафе",
        ),
        2400,
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        2,
        1,
        T.HAND_OFF,
        3,
        "mystery",
        "accepted",
        10,
        (
            "Call centre cannot see business applications",
            "Operators have no access to the onboarding system, so they promise callbacks that never happen.",
            "Operator: “I don't see business applications, I'll pass it on” — no callback in 3 days.",
            "Call 17, mystery shopper",
        ),
        (
            "Контакт-центр не видит заявки бизнеса",
            "У операторов нет доступа к системе открытия счетов, поэтому они обещают перезвонить и не перезванивают.",
            "Оператор: «Я не вижу заявки юрлиц, передам» — обратного звонка за 3 дня не было.",
            "Звонок 17, тайный покупатель",
        ),
        1800,
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        1,
        1,
        T.EXPERIENCE_GAP,
        3,
        "interviews",
        "resolved",
        -2,
        (
            "Phone photos of documents are rejected without a reason",
            "Upload accepts PDF under 5 MB only; the error message does not say what is wrong.",
            "I photographed the charter three times. It just said “file error”.",
            "Interview 9, workshop owner",
        ),
        (
            "Фото документов с телефона отклоняются без объяснений",
            "Загрузка принимает только PDF до 5 МБ; сообщение об ошибке не говорит, что не так.",
            "Я три раза фотографировал устав. Писало просто «ошибка файла».",
            "Интервью 9, владелец мастерской",
        ),
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        2,
        2,
        T.COMMUNICATION,
        2,
        "interviews",
        "new",
        None,
        (
            "Extra documents requested after the check has started",
            "The list of documents on the website is incomplete; a lease agreement is asked for on day 4.",
            "If they had told me about the lease on day one I'd have brought it with everything else.",
            "Interview 5, shop owner",
        ),
        (
            "Дополнительные документы запрашивают уже в ходе проверки",
            "Список документов на сайте неполный; договор аренды просят на четвёртый день.",
            "Сказали бы про аренду в первый день — я бы принёс вместе со всем остальным.",
            "Интервью 5, владелец магазина",
        ),
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        3,
        0,
        T.SERVICE_FAILURE,
        3,
        "mystery",
        "verified",
        -20,
        (
            "Booked business visits are not in the branch queue",
            "The booking system and the queue terminal are not connected; entrepreneurs wait with walk-ins.",
            "Booked 11:00, called at 11:37. The consultant did not know about the booking.",
            "Visit 8, Nevsky branch",
        ),
        (
            "Записи бизнеса не попадают в очередь отделения",
            "Система записи и терминал очереди не связаны; предприниматели ждут вместе со всеми.",
            "Запись на 11:00, вызвали в 11:37. Консультант о записи не знал.",
            "Визит 8, отделение на Невском",
        ),
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        4,
        1,
        T.HAND_OFF,
        4,
        "interviews",
        "in_progress",
        12,
        (
            "Card acquiring needs a second contract and visit",
            "Acquiring is sold by a different team after the account is opened; the terminal takes 11 days.",
            "Why two contracts with one bank? I lost two weeks of card payments.",
            "Interview 11, café owner",
        ),
        (
            "Для эквайринга нужен второй договор и второй визит",
            "Эквайринг продаёт другая команда уже после открытия счёта; терминал везут 11 дней.",
            "Зачем два договора с одним банком? Я потерял две недели оплат картами.",
            "Интервью 11, владелец кафе",
        ),
        900,
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        0,
        2,
        T.SERVICE_FAILURE,
        2,
        "mystery",
        "rejected",
        None,
        (
            "General line does not know business products",
            "Operators of the general line read out the website to questions about business accounts.",
            "Operator read the tariff page aloud and transferred the call.",
            "Call 4, mystery shopper",
        ),
        (
            "Общая линия не знает продуктов для бизнеса",
            "Операторы общей линии на вопросы о расчётном счёте зачитывают текст сайта.",
            "Оператор зачитал страницу тарифов и перевёл звонок.",
            "Звонок 4, тайный покупатель",
        ),
    ),
    DemoBarrier(
        OPEN_ACCOUNT,
        5,
        0,
        T.CROSS_CHANNEL,
        2,
        "social",
        "new",
        None,
        (
            "Chat bot answers business questions with retail links",
            "The app chat bot does not recognise business clients and sends them retail help pages.",
            "Asked the chat why my payment is held, got a link about cashback on groceries.",
            "VK post, 14 Aug",
        ),
        (
            "Бот в чате отвечает бизнесу ссылками для частных лиц",
            "Бот в приложении не узнаёт клиентов-бизнес и отправляет им справку для физлиц.",
            "Спросил в чате, почему задержан платёж, получил ссылку про кэшбэк на продукты.",
            "Пост ВКонтакте, 14 августа",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        2,
        0,
        T.CROSS_CHANNEL,
        4,
        "mystery",
        "in_progress",
        -3,
        (
            "Phone operators refuse to register disputes",
            "Disputes are accepted only in writing or in a branch, though the app and website promise help by phone.",
            "“We don't take disputes by phone, go to a branch.” The website says the opposite.",
            "Call 29, mystery shopper",
        ),
        (
            "Операторы по телефону отказываются принимать претензии",
            "Претензии принимают только письменно или в отделении, хотя приложение и сайт обещают помощь по телефону.",
            "«По телефону претензии не принимаем, идите в отделение». На сайте написано обратное.",
            "Звонок 29, тайный покупатель",
        ),
        5200,
    ),
    DemoBarrier(
        DISPUTE,
        3,
        1,
        T.SERVICE_FAILURE,
        4,
        "social",
        "accepted",
        -1,
        (
            "Disputes take five to six weeks with no updates",
            "Only 41% of card disputes are resolved within 10 days; customers hear nothing in between.",
            "Five weeks and not a word. I only got my money back after writing on VK.",
            "VK comment, 2 Sep",
        ),
        (
            "Разбор претензий идёт пять-шесть недель без новостей",
            "Лишь 41% претензий по картам решаются за 10 дней; всё это время клиенту ничего не сообщают.",
            "Пять недель ни слова. Деньги вернули, только когда я написал во ВКонтакте.",
            "Комментарий ВКонтакте, 2 сентября",
        ),
        5200,
    ),
    DemoBarrier(
        DISPUTE,
        2,
        1,
        T.EXPERIENCE_GAP,
        3,
        "mystery",
        "resolved",
        5,
        (
            "Dispute form asks for data the bank already has",
            "Card number, date and amount must be retyped, and a signed scan uploaded.",
            "Shopper spent 14 minutes on the form and could not upload the scan from the phone.",
            "Visit 21 checklist",
        ),
        (
            "Форма претензии требует данные, которые у банка уже есть",
            "Номер карты, дату и сумму нужно вводить заново и прикладывать скан с подписью.",
            "Покупатель потратил на форму 14 минут и не смог загрузить скан с телефона.",
            "Чек-лист визита 21",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        2,
        2,
        T.HAND_OFF,
        3,
        "mystery",
        "reopened",
        7,
        (
            "Paper statement must be signed in a branch",
            "A dispute filed online is not valid until the customer signs a paper copy in a branch.",
            "Half an hour in the branch to sign what I had already sent online.",
            "Visit 12, shopper notes",
        ),
        (
            "Бумажное заявление нужно подписывать в отделении",
            "Претензия, поданная онлайн, недействительна, пока клиент не подпишет бумажную копию в отделении.",
            "Полчаса в отделении, чтобы подписать то, что я уже отправил онлайн.",
            "Визит 12, заметки покупателя",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        0,
        0,
        T.COMMUNICATION,
        2,
        "social",
        "verified",
        -30,
        (
            "Merchant names in pushes are unreadable",
            "Pushes show the acquirer's code instead of the shop's name, so customers think it is fraud.",
            "What is PAYPRO*SRV? I blocked my card in panic, it was my gym.",
            "Telegram channel post, 21 Jul",
        ),
        (
            "Названия продавцов в push-уведомлениях нечитаемы",
            "В уведомлениях код эквайера вместо названия магазина, и клиенты думают, что это мошенники.",
            "Что такое PAYPRO*SRV? Я в панике заблокировал карту, а это был мой фитнес.",
            "Пост в Telegram-канале, 21 июля",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        0,
        1,
        T.PRODUCT,
        3,
        "social",
        "new",
        None,
        (
            "No “dispute” button next to a transaction",
            "The app shows amount and date only; customers do not know where to start a dispute.",
            "Where do I even complain about a charge in the app? Found nothing.",
            "Review site, 1 star",
        ),
        (
            "Нет кнопки «оспорить» рядом с операцией",
            "Приложение показывает только сумму и дату; клиенты не знают, с чего начать претензию.",
            "Где в приложении вообще пожаловаться на списание? Ничего не нашёл.",
            "Сайт отзывов, 1 звезда",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        3,
        2,
        T.HAND_OFF,
        3,
        "mystery",
        "in_progress",
        -10,
        (
            "Every operator asks the customer to start again",
            "The dispute case is not visible in the contact-centre system; each call starts from zero.",
            "Third call, third operator, third time I tell the whole story.",
            "Call 44, mystery shopper",
        ),
        (
            "Каждый оператор просит рассказать всё заново",
            "Претензия не видна в системе контакт-центра; каждый звонок начинается с нуля.",
            "Третий звонок, третий оператор, в третий раз рассказываю всю историю.",
            "Звонок 44, тайный покупатель",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        3,
        3,
        T.COMMUNICATION,
        2,
        "social",
        "accepted",
        14,
        (
            "Public complaints get a template reply a day later",
            "The social-media team answers with “write to us in private messages” and does not follow up.",
            "They replied “write to us in DM” 26 hours later. I had already written three times.",
            "VK monitoring, September",
        ),
        (
            "Публичные жалобы получают шаблонный ответ через сутки",
            "Команда соцсетей отвечает «напишите нам в личные сообщения» и дальше не отслеживает.",
            "Ответили «напишите в личку» через 26 часов. Я уже трижды писал.",
            "Мониторинг ВКонтакте, сентябрь",
        ),
    ),
    DemoBarrier(
        DISPUTE,
        5,
        0,
        T.COMMUNICATION,
        1,
        "social",
        "rejected",
        None,
        (
            "Survey after a dispute ignores the dispute",
            "The NPS e-mail is the generic one; customers read it as the bank not caring.",
            "They fought me for six weeks and then asked how likely I am to recommend them.",
            "Review site, 2 stars",
        ),
        (
            "Опрос после претензии не упоминает претензию",
            "Письмо NPS — общее; клиенты воспринимают это как равнодушие банка.",
            "Шесть недель со мной воевали, а потом спросили, порекомендую ли я их.",
            "Сайт отзывов, 2 звезды",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        2,
        1,
        T.SERVICE_FAILURE,
        4,
        "social",
        "in_progress",
        -4,
        (
            "Couriers are late without warning",
            "Only 62% of card deliveries arrive within the agreed window; the courier service does not call ahead.",
            "Left work early to meet the courier. He came three hours later and did not call.",
            "VK post, 30 Aug",
        ),
        (
            "Курьеры опаздывают без предупреждения",
            "Лишь 62% карт доставляют в согласованное окно; курьерская служба не звонит заранее.",
            "Ушёл с работы пораньше ради курьера. Он приехал через три часа и не позвонил.",
            "Пост ВКонтакте, 30 августа",
        ),
        3100,
    ),
    DemoBarrier(
        CARD_DELIVERY,
        2,
        0,
        T.COMMUNICATION,
        2,
        "mystery",
        "accepted",
        20,
        (
            "Delivery window is the whole working day",
            "Customers are given 10:00–18:00 and cannot pick a narrower slot.",
            "“Between ten and six” is not a time, it is a day off.",
            "Shopper call 52",
        ),
        (
            "Окно доставки — весь рабочий день",
            "Клиентам дают окно с 10:00 до 18:00 и не позволяют выбрать точнее.",
            "«С десяти до шести» — это не время, это отгул.",
            "Звонок покупателя 52",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        3,
        0,
        T.EXPERIENCE_GAP,
        3,
        "interviews",
        "new",
        None,
        (
            "App asks for a code word nobody gave the customer",
            "New card customers are asked for a code word at first login; it was never set up.",
            "The app wanted a code word. What code word? The courier did not say anything.",
            "Interview 13, new customer",
        ),
        (
            "Приложение спрашивает кодовое слово, которого клиенту не давали",
            "При первом входе новых клиентов просят ввести кодовое слово, которое никто не задавал.",
            "Приложение потребовало кодовое слово. Какое? Курьер ничего не говорил.",
            "Интервью 13, новый клиент",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        1,
        2,
        T.CROSS_CHANNEL,
        2,
        "mystery",
        "resolved",
        3,
        (
            "Delivery is agreed only by a phone call",
            "The delivery slot cannot be chosen in the app or on the website; customers miss the call.",
            "Missed two calls from an unknown number at work — delivery was moved by a week.",
            "Shopper diary, order 6",
        ),
        (
            "Доставку согласуют только звонком",
            "Время доставки нельзя выбрать в приложении или на сайте; клиенты пропускают звонок.",
            "Пропустил два звонка с незнакомого номера на работе — доставку перенесли на неделю.",
            "Дневник покупателя, заказ 6",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        4,
        1,
        T.PRODUCT,
        1,
        "social",
        "verified",
        -40,
        (
            "Few own ATMs in new districts",
            "Customers in new districts withdraw cash at partners with a fee.",
            "Nearest ATM of the bank is two kilometres away; the one downstairs charges 1%.",
            "Review site, 3 stars",
        ),
        (
            "Мало своих банкоматов в новых районах",
            "Клиенты в новых районах снимают наличные у партнёров с комиссией.",
            "Ближайший банкомат банка в двух километрах; тот, что внизу, берёт 1%.",
            "Сайт отзывов, 3 звезды",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        3,
        1,
        T.HAND_OFF,
        2,
        "mystery",
        "new",
        9,
        (
            "Telegram bot sends customers to the call centre",
            "The bot cannot help with login problems and offers a phone number instead.",
            "Bot: “Please call 8-800…”. I wrote to the bot so that I would not have to call.",
            "Shopper chat log 9",
        ),
        (
            "Бот в Telegram отправляет клиентов в контакт-центр",
            "Бот не помогает с проблемами входа и предлагает позвонить.",
            "Бот: «Позвоните по 8-800…». Я и написал боту, чтобы не звонить.",
            "Переписка покупателя 9",
        ),
    ),
    DemoBarrier(
        CARD_DELIVERY,
        2,
        2,
        T.COMMUNICATION,
        2,
        "interviews",
        "in_progress",
        6,
        (
            "Courier hurries the customer through 12 pages",
            "Couriers have 5 minutes per visit and do not explain the contract.",
            "He said “sign here, here and here”. I still don't know what my limits are.",
            "Interview 12, new customer",
        ),
        (
            "Курьер торопит с подписанием 12 страниц",
            "У курьера 5 минут на визит, договор он не объясняет.",
            "Сказал «подпишите тут, тут и тут». Я до сих пор не знаю свои лимиты.",
            "Интервью 12, новый клиент",
        ),
    ),
]

# What happens to a barrier on its way to each demo status (who acts: the department or the CX lead).
PATHS: dict[str, list[tuple[str, str]]] = {
    "new": [],
    "accepted": [("accept", "department")],
    "in_progress": [("accept", "department"), ("start", "department")],
    "resolved": [("accept", "department"), ("start", "department"), ("resolve", "department")],
    "verified": [("accept", "department"), ("start", "department"), ("resolve", "department"), ("verify", "cx_lead")],
    "reopened": [("accept", "department"), ("start", "department"), ("resolve", "department"), ("reopen", "cx_lead")],
    "rejected": [("reject", "cx_lead")],
}
TEXTS = {
    "en": {
        "resolve": "Fixed in the process and checked on ten new cases.",
        "reopen": "Checked again last week: still happens on the evening shift.",
        "reject": "Duplicate of a barrier already assigned to the same team.",
        "plan": "Owner named, fix planned for the next release; weekly check of the figures.",
        "comment": "We need IT for this: asked for a slot in the next sprint.",
    },
    "ru": {
        "resolve": "Процесс исправлен, проверено на десяти новых случаях.",
        "reopen": "Проверили на прошлой неделе: в вечернюю смену всё ещё повторяется.",
        "reject": "Дубликат барьера, уже назначенного той же команде.",
        "plan": "Назначен ответственный, исправление в ближайшем релизе; еженедельная проверка цифр.",
        "comment": "Нужна помощь ИТ: попросили слот в ближайшем спринте.",
    },
}


@transaction.atomic
def load_barriers(*, language: str, lead: AbstractBaseUser) -> int:
    """Create the demo research and barriers once (left alone when any barrier exists)."""
    if Barrier.objects.exists():
        return 0
    today = timezone.localdate()
    studies = {}
    for demo in STUDIES:
        title, summary = demo.ru if language == "ru" else demo.en
        studies[demo.key] = study_create(
            actor=lead,
            title=title,
            method=demo.method,
            period_start=today - timedelta(days=demo.start_days_ago),
            period_end=today - timedelta(days=demo.end_days_ago),
            summary=summary,
        )
    texts = TEXTS["ru" if language == "ru" else "en"]
    for demo in BARRIERS:
        step = _step(demo, language)
        title, description, quote, quote_source = demo.ru if language == "ru" else demo.en
        barrier = barrier_create(
            actor=lead,
            title=title,
            description=description,
            type=demo.type,
            severity=demo.severity,
            customers_affected=demo.customers_affected,
            steps=[step],
            study=studies[demo.study],
            due_date=today + timedelta(days=demo.due_in_days) if demo.due_in_days is not None else None,
            evidence=[{"kind": Evidence.Kind.QUOTE, "text": quote, "source": quote_source}],
        )
        department_person = barrier.department.head
        version = barrier.version
        for action, who in PATHS[demo.status]:
            actor = lead if who == "cx_lead" else department_person
            barrier = barrier_transition(
                barrier_id=barrier.pk, action=action, expected_version=version, actor=actor, text=texts.get(action, "")
            )
            version = barrier.version
            if action == "accept":
                barrier = barrier_update(
                    barrier_id=barrier.pk, expected_version=version, actor=actor, resolution_plan=texts["plan"]
                )
                version = barrier.version
        if demo.status in ("in_progress", "reopened"):
            comment_add(barrier_id=barrier.pk, actor=department_person, text=texts["comment"])
    # The demo's history is not news: nobody is e-mailed about it.
    Notification.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now(), read_at=timezone.now())
    return len(BARRIERS)


def _step(demo: DemoBarrier, language: str) -> Step:
    title = demo.journey.ru[0] if language == "ru" else demo.journey.en[0]
    return Step.objects.get(
        stage__journey__title=title,
        stage__journey__state="as_is",
        stage__position=demo.stage,
        position=demo.step,
    )


def load(*, language: str, small: bool) -> str:
    """The demo research and barriers, recorded by the demo CX lead (load_demo)."""
    lead = get_user_model().objects.get(username="cxlead")
    return f"{load_barriers(language=language, lead=lead)} new barriers"
