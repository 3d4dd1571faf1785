"""The built-in journey templates: eight journeys every service business draws, in English and Russian.

Each step has the customer's action, what they expect, and the barriers teams typically find there (kept
in the step's notes). Reality and emotion are left for the team to fill from its own research. Pure data
plus `install`, which the migration and the tests call with the model class they have.
"""

from dataclasses import dataclass

BARRIERS = {"en": "Typical barriers: ", "ru": "Типичные барьеры: "}


@dataclass(frozen=True)
class S:
    """A step: (action, expectation, typical barriers) in each language; `moment` marks a moment of truth."""

    en: tuple[str, str, str]
    ru: tuple[str, str, str]
    moment: bool = False


@dataclass(frozen=True)
class T:
    key: str
    en: tuple[str, str]  # name, description
    ru: tuple[str, str]
    stages: list[tuple[str, str, list[S]]]  # (English name, Russian name, steps)


LIBRARY: list[T] = [
    T(
        key="open-account",
        en=("Open an account", "From comparing providers to the first transaction: a new customer's onboarding."),
        ru=("Открытие счёта", "От сравнения предложений до первой операции: подключение нового клиента."),
        stages=[
            ("Choose", "Выбор", [
                S(("Compares offers and fees on the website", "All fees on one page, in plain words",
                   "fees hidden in a separate PDF; jargon; no calculator"),
                  ("Сравнивает предложения и тарифы на сайте", "Все комиссии на одной странице, простыми словами",
                   "комиссии спрятаны в отдельном PDF; непонятные термины; нет калькулятора")),
                S(("Reads reviews and asks friends", "An honest picture of how customers are treated",
                   "unanswered complaints in public; outdated reviews"),
                  ("Читает отзывы, спрашивает знакомых", "Честная картина того, как здесь обращаются с клиентами",
                   "жалобы в соцсетях без ответа; устаревшие отзывы")),
            ]),
            ("Apply", "Заявка", [
                S(("Fills in the online application", "Ten minutes, data filled in from what is already known",
                   "long form; data typed twice; session expires and the form is lost"),
                  ("Заполняет заявку онлайн", "Десять минут, известные данные подставлены сами",
                   "длинная анкета; одни и те же данные вводятся дважды; сессия истекает, анкета теряется")),
                S(("Uploads identity documents", "Upload from the phone in any common format",
                   "only PDF accepted; photos rejected without saying why"),
                  ("Загружает документы", "Загрузить с телефона в любом привычном формате",
                   "принимается только PDF; фото отклоняют без объяснения причин")),
                S(("Waits for the decision", "A decision the same day and a clear status meanwhile",
                   "no status; calls to find out; decision by a letter that goes to spam"),
                  ("Ждёт решения", "Решение в тот же день и понятный статус, пока ждёт",
                   "статуса нет; приходится звонить; решение приходит письмом в спам"), moment=True),
            ]),
            ("Get started", "Начало работы", [
                S(("Signs the contract and gets access", "Sign online, access the same day",
                   "branch visit required to sign; passwords sent in separate letters days apart"),
                  ("Подписывает договор и получает доступ", "Подписать онлайн, доступ в тот же день",
                   "для подписи нужен визит в офис; пароли приходят разными письмами с разницей в дни")),
                S(("Makes the first transaction", "It just works the first time",
                   "limits not explained; the first payment is blocked for a check without warning"),
                  ("Совершает первую операцию", "Всё работает с первого раза",
                   "лимиты не объяснены; первый платёж блокируют на проверку без предупреждения"), moment=True),
            ]),
        ],
    ),
    T(
        key="card-dispute",
        en=("Card dispute", "A customer sees a payment they do not recognise and wants their money back."),
        ru=("Оспаривание операции по карте", "Клиент видит незнакомое списание и хочет вернуть деньги."),
        stages=[
            ("Notice", "Обнаружение", [
                S(("Sees an unknown payment in the app", "Clear merchant name, date and place",
                   "cryptic merchant names; the payment appears days later"),
                  ("Видит незнакомое списание в приложении", "Понятное название продавца, дата и место",
                   "непонятные названия продавцов; операция появляется спустя дни")),
                S(("Blocks the card", "Block in one tap, any time, with a new card offered",
                   "blocking only by phone; a new card needs a branch visit"),
                  ("Блокирует карту", "Заблокировать в одно касание в любое время и сразу заказать новую",
                   "блокировка только по телефону; новую карту выдают только в отделении")),
            ]),
            ("Report", "Обращение", [
                S(("Calls or writes to report the dispute", "Someone who can act answers within a minute",
                   "long wait on the line; transferred between departments; told to write a letter"),
                  ("Звонит или пишет, чтобы оспорить операцию", "За минуту отвечает тот, кто может помочь",
                   "долгое ожидание на линии; переводят между отделами; просят написать заявление"), moment=True),
                S(("Fills in the dispute form", "One short form, prefilled with the payment",
                   "paper form; asked for the same details again; signature by hand"),
                  ("Заполняет заявление", "Одна короткая форма, данные операции уже подставлены",
                   "бумажный бланк; снова спрашивают те же данные; нужна подпись от руки")),
            ]),
            ("Resolution", "Решение", [
                S(("Waits for the investigation", "A deadline promised and kept, news at each step",
                   "no news for weeks; each call starts from scratch"),
                  ("Ждёт результата расследования", "Названный срок, который соблюдают, и новости на каждом шаге",
                   "неделями нет новостей; при каждом звонке всё начинается сначала")),
                S(("Gets the money back or a reasoned refusal", "The money back, or a refusal that explains why",
                   "refusal without reasons; the refund arrives without notice"),
                  ("Получает деньги или обоснованный отказ", "Деньги вернулись или отказ с объяснением причин",
                   "отказ без причин; возврат приходит без уведомления"), moment=True),
            ]),
        ],
    ),
    T(
        key="order-delivery",
        en=("Order and delivery", "From choosing a product online to receiving it at home."),
        ru=("Заказ и доставка", "От выбора товара онлайн до получения его дома."),
        stages=[
            ("Order", "Заказ", [
                S(("Chooses a product and checks availability", "True stock and delivery date before paying",
                   "shows 'in stock' for items that are not; the delivery date appears only at checkout"),
                  ("Выбирает товар и проверяет наличие", "Реальное наличие и дата доставки до оплаты",
                   "«в наличии» для отсутствующих товаров; дату доставки показывают только при оформлении")),
                S(("Pays online", "Any usual payment method, no surprises in the total",
                   "extra fees appear at the last step; the payment page fails on the phone"),
                  ("Оплачивает онлайн", "Любой привычный способ оплаты, итог без сюрпризов",
                   "доплаты появляются на последнем шаге; страница оплаты не работает на телефоне")),
            ]),
            ("Wait", "Ожидание", [
                S(("Tracks the order", "Live status and a time window for the delivery",
                   "status stuck on 'processing'; the tracking link does not work"),
                  ("Отслеживает заказ", "Живой статус и интервал доставки",
                   "статус завис на «в обработке»; ссылка для отслеживания не работает")),
                S(("Agrees the delivery time", "Choose or change the slot without calling",
                   "the courier calls at work hours only; no way to reschedule online"),
                  ("Согласует время доставки", "Выбрать или перенести интервал без звонка",
                   "курьер звонит только в рабочее время; перенести онлайн нельзя")),
            ]),
            ("Receive", "Получение", [
                S(("Receives the parcel", "On time, intact, the courier polite",
                   "late without warning; damaged packaging; courier asks to come down"),
                  ("Получает посылку", "Вовремя, в целости, вежливый курьер",
                   "опоздание без предупреждения; повреждённая упаковка; курьер просит спуститься"), moment=True),
                S(("Returns what does not fit", "A free, simple return and the money back within days",
                   "returns only at a pick-up point; refund takes weeks"),
                  ("Возвращает то, что не подошло", "Бесплатный и простой возврат, деньги за несколько дней",
                   "возврат только через пункт выдачи; деньги возвращают неделями")),
            ]),
        ],
    ),
    T(
        key="complaint-handling",
        en=("Complaint handling", "A customer is unhappy and says so: from the complaint to a fair outcome."),
        ru=("Работа с жалобой", "Клиент недоволен и говорит об этом: от жалобы до справедливого решения."),
        stages=[
            ("Complain", "Жалоба", [
                S(("Looks for a way to complain", "An obvious channel, in the channel they already use",
                   "no complaint option in the app; only a postal address"),
                  ("Ищет, куда пожаловаться", "Очевидный канал — тот, которым клиент уже пользуется",
                   "в приложении нельзя пожаловаться; только почтовый адрес")),
                S(("Describes the problem", "Tell the story once and be understood",
                   "asked to repeat the story to each new person; a form with no free text"),
                  ("Описывает проблему", "Рассказать один раз и быть понятым",
                   "каждому новому сотруднику приходится пересказывать; форма без свободного текста")),
            ]),
            ("Handling", "Рассмотрение", [
                S(("Gets a confirmation", "A reference number, a named owner and a deadline",
                   "an automatic reply with no number or deadline"),
                  ("Получает подтверждение", "Номер обращения, ответственный и срок",
                   "автоответ без номера и срока")),
                S(("Waits for the answer", "Updates without having to chase",
                   "silence until the deadline passes; the deadline is extended without explanation"),
                  ("Ждёт ответа", "Новости без напоминаний со своей стороны",
                   "тишина до истечения срока; срок продлевают без объяснений")),
            ]),
            ("Outcome", "Результат", [
                S(("Reads the answer", "A human answer to their case, not a template",
                   "a template letter quoting rules; the actual question not answered"),
                  ("Читает ответ", "Человеческий ответ по своей ситуации, а не шаблон",
                   "шаблонное письмо со ссылками на правила; на сам вопрос не ответили"), moment=True),
                S(("Gets the problem fixed or compensated", "The problem fixed and the cause removed",
                   "compensation without fixing the cause; the same problem comes back"),
                  ("Получает исправление или компенсацию", "Проблема решена, причина устранена",
                   "компенсация без устранения причины; проблема повторяется")),
            ]),
        ],
    ),
    T(
        key="onboarding",
        en=("Onboarding", "The first weeks after signing up: from welcome to using the service with confidence."),
        ru=("Первые недели клиента", "Первые недели после подключения: от приветствия до уверенного пользования."),
        stages=[
            ("Welcome", "Приветствие", [
                S(("Receives the welcome message", "What to do first, in one short message",
                   "five separate letters; marketing instead of next steps"),
                  ("Получает приветственное сообщение", "Что сделать в первую очередь — в одном коротком сообщении",
                   "пять разных писем; реклама вместо следующих шагов")),
                S(("Sets up the app and the profile", "A guided set-up in a few minutes",
                   "login codes do not arrive; settings spread over many screens"),
                  ("Настраивает приложение и профиль", "Пошаговая настройка за несколько минут",
                   "коды для входа не приходят; настройки разбросаны по множеству экранов")),
            ]),
            ("First use", "Первое использование", [
                S(("Uses the main feature for the first time", "It works the first time, with help at hand",
                   "errors without explanation; help only by phone"),
                  ("Впервые пользуется основной функцией", "Всё работает с первого раза, помощь под рукой",
                   "ошибки без объяснений; помощь только по телефону"), moment=True),
                S(("Asks a question", "A quick answer from someone who knows",
                   "a chatbot that loops; the answer contradicts the website"),
                  ("Задаёт вопрос", "Быстрый ответ от того, кто разбирается",
                   "чат-бот ходит по кругу; ответ противоречит сайту")),
            ]),
            ("Settle in", "Привыкание", [
                S(("Gets the first bill or statement", "Exactly what was promised, easy to read",
                   "unexpected charges; a statement full of codes"),
                  ("Получает первый счёт или выписку", "Ровно то, что обещали, и легко читается",
                   "неожиданные списания; выписка из одних кодов"), moment=True),
                S(("Discovers further services", "Useful suggestions at the right moment",
                   "pushy cross-selling; offers for services already held"),
                  ("Узнаёт о других услугах", "Полезные предложения в нужный момент",
                   "навязчивые продажи; предлагают то, что уже подключено")),
            ]),
        ],
    ),
    T(
        key="loan-application",
        en=("Loan application", "From needing money to receiving it: a consumer or small-business loan."),
        ru=("Заявка на кредит", "От потребности в деньгах до их получения: потребительский кредит или кредит бизнесу."),
        stages=[
            ("Explore", "Изучение", [
                S(("Estimates the rate and the monthly payment", "An honest calculator with the full cost",
                   "the advertised rate applies to almost no one; insurance added later"),
                  ("Оценивает ставку и ежемесячный платёж", "Честный калькулятор с полной стоимостью",
                   "рекламная ставка почти никому не доступна; страховку добавляют позже")),
            ]),
            ("Apply", "Заявка", [
                S(("Submits the application", "Apply online in minutes with data already known",
                   "asked for documents the bank already has; income proof on paper"),
                  ("Подаёт заявку", "Подать онлайн за несколько минут, с уже известными данными",
                   "просят документы, которые у банка уже есть; справка о доходах на бумаге")),
                S(("Answers the underwriter's questions", "Questions asked once, all together",
                   "calls at random times; the same questions asked again by another person"),
                  ("Отвечает на вопросы андеррайтера", "Все вопросы один раз и сразу",
                   "звонки в случайное время; другой сотрудник задаёт те же вопросы")),
                S(("Receives the decision", "A decision within a day, reasons given if refused",
                   "waits a week; refusal without reasons; a different amount without explanation"),
                  ("Получает решение", "Решение за день, при отказе — с причинами",
                   "ожидание неделю; отказ без причин; одобрена другая сумма без объяснений"), moment=True),
            ]),
            ("Receive", "Получение", [
                S(("Signs the loan agreement", "Sign online; the terms match the offer",
                   "terms differ from the offer; signing only at a branch"),
                  ("Подписывает кредитный договор", "Подписать онлайн; условия совпадают с предложением",
                   "условия отличаются от предложения; подписать можно только в отделении")),
                S(("Gets the money", "Money on the account the same day",
                   "transfer delayed by checks nobody mentioned"),
                  ("Получает деньги", "Деньги на счёте в тот же день",
                   "перевод задерживают проверки, о которых не предупредили"), moment=True),
                S(("Pays the first instalment", "A reminder before the date and an easy way to pay",
                   "no reminder; the payment is late because of bank holidays"),
                  ("Вносит первый платёж", "Напоминание заранее и простой способ оплаты",
                   "нет напоминания; платёж опаздывает из-за выходных")),
            ]),
        ],
    ),
    T(
        key="subscription-cancellation",
        en=("Subscription cancellation", "A customer wants to leave: is it easy and fair, and can we win them back?"),
        ru=("Отказ от подписки", "Клиент хочет уйти: насколько это просто и честно, и можно ли его вернуть?"),
        stages=[
            ("Decide", "Решение уйти", [
                S(("Looks for how to cancel", "The cancel option where the subscription is managed",
                   "cancellation hidden deep in the settings; only by phone"),
                  ("Ищет, как отменить подписку", "Отмена там же, где управление подпиской",
                   "отмена спрятана глубоко в настройках; только по телефону")),
            ]),
            ("Cancel", "Отмена", [
                S(("Requests the cancellation", "Cancel in a few clicks, without arguing",
                   "must call and listen to several offers; the request is 'lost'"),
                  ("Отправляет запрос на отмену", "Отменить в несколько нажатий, без уговоров",
                   "нужно звонить и выслушивать предложения; запрос «теряется»"), moment=True),
                S(("Hears a retention offer", "One relevant offer, easy to decline",
                   "repeated offers; the offer was never available to loyal customers"),
                  ("Слышит предложение остаться", "Одно уместное предложение, от которого легко отказаться",
                   "предложения по кругу; лояльным клиентам такое никогда не предлагали")),
                S(("Gets the confirmation", "Written confirmation with the end date",
                   "no confirmation; charged again next month"),
                  ("Получает подтверждение", "Письменное подтверждение с датой окончания",
                   "подтверждения нет; в следующем месяце снова списали деньги")),
            ]),
            ("After", "После ухода", [
                S(("Gets a final bill or refund", "Pay only for what was used; refund without chasing",
                   "a cancellation fee not mentioned before; refund only on request"),
                  ("Получает итоговый счёт или возврат", "Платить только за использованное; возврат без напоминаний",
                   "комиссия за отмену, о которой не говорили; возврат только по запросу")),
                S(("Is asked why they left", "A short question, and the feedback acted on",
                   "a long survey; marketing letters continue after leaving"),
                  ("Отвечает, почему ушёл", "Короткий вопрос, и отзыв идёт в дело",
                   "длинная анкета; рекламные письма продолжают приходить после ухода")),
            ]),
        ],
    ),
    T(
        key="relocation",
        en=("Move / relocation", "A customer moves home: the service moves with them, or they leave."),
        ru=("Переезд", "Клиент переезжает: услуга переезжает вместе с ним, или он уходит."),
        stages=[
            ("Plan", "Подготовка", [
                S(("Checks whether the service is available at the new address",
                   "Check by address online, with the move date",
                   "coverage map out of date; 'call us to check'"),
                  ("Проверяет, доступна ли услуга по новому адресу", "Проверить по адресу онлайн, с датой переезда",
                   "карта покрытия устарела; «позвоните, чтобы уточнить»")),
                S(("Requests the move of the service", "One request covering everything",
                   "separate requests per service; the old contract must be ended first"),
                  ("Оформляет перенос услуги", "Одна заявка на всё",
                   "отдельная заявка на каждую услугу; сначала нужно расторгнуть старый договор")),
            ]),
            ("Move", "Переезд", [
                S(("Agrees the date for the switch", "Service off at the old address and on at the new one",
                   "a gap of days without service; double billing for the overlap"),
                  ("Согласует дату переключения", "Отключение по старому адресу и подключение по новому в один день",
                   "несколько дней без услуги; двойные счета за пересечение")),
                S(("Waits for the technician", "A two-hour window and a call before arrival",
                   "a whole-day window; the technician does not come and nobody calls"),
                  ("Ждёт мастера", "Интервал в два часа и звонок перед приездом",
                   "ожидание весь день; мастер не пришёл, и никто не позвонил"), moment=True),
            ]),
            ("Settle", "На новом месте", [
                S(("Checks that everything works", "Everything as before, same price",
                   "settings lost; the price changed with the address without warning"),
                  ("Проверяет, что всё работает", "Всё как раньше, по той же цене",
                   "настройки потеряны; цена изменилась вместе с адресом без предупреждения")),
                S(("Updates the address everywhere", "The address changed once for all services",
                   "letters still go to the old address; each department asks again"),
                  ("Меняет адрес во всех сервисах", "Адрес меняется один раз для всех услуг",
                   "письма продолжают приходить на старый адрес; каждый отдел спрашивает заново")),
            ]),
        ],
    ),
]  # fmt: skip


def document(template: T, language: str) -> dict:
    """The template as the `journey` part of a cxhub.journey document, in `language` ("en" or "ru")."""
    name, description = getattr(template, language)
    return {
        "title": name,
        "description": description,
        "state": "as_is",
        "persona": None,
        "stages": [
            {
                "name": stage_en if language == "en" else stage_ru,
                "steps": [
                    {
                        "touchpoint": None,
                        "action": getattr(step, language)[0],
                        "expectation": getattr(step, language)[1],
                        "reality": "",
                        "emotion": 0,
                        "is_moment_of_truth": step.moment,
                        "notes": BARRIERS[language] + getattr(step, language)[2] + ".",
                    }
                    for step in steps
                ],
            }
            for stage_en, stage_ru, steps in template.stages
        ],
    }


def install(model) -> int:
    """Add the built-in templates that are missing; returns how many were added. The migration calls it
    once, so a built-in template a CX lead deletes stays deleted. `model` is JourneyTemplate (real or
    historical)."""
    added = 0
    for template in LIBRARY:
        for language in ("en", "ru"):
            if model.objects.filter(key=template.key, language=language).exists():
                continue
            doc = document(template, language)
            model.objects.create(
                key=template.key,
                language=language,
                name=doc["title"],
                description=doc["description"],
                document=doc,
                stage_count=len(doc["stages"]),
                step_count=sum(len(stage["steps"]) for stage in doc["stages"]),
            )
            added += 1
    return added
