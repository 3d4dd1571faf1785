"""Demo company, part 3: three of Severny Bank's customer journeys, in English and Russian, and a to-be
version of the first one. Realities and emotions are what the bank's research would plausibly find."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Journey, Stage, Step, Touchpoint
from .services import journey_create, journey_duplicate, persona_upsert, stage_add, step_add, step_delete, step_update


@dataclass
class DemoStep:
    touchpoint: str  # catalogue code
    emotion: int
    en: tuple[str, str, str]  # action, expectation, reality
    ru: tuple[str, str, str]
    moment_of_truth: bool = False


@dataclass
class DemoStage:
    en: str
    ru: str
    steps: list[DemoStep]


@dataclass
class DemoPersona:
    en: tuple[str, str, str, str, str]  # name, description, goals, frustrations, quote (one item per line)
    ru: tuple[str, str, str, str, str]


@dataclass
class DemoJourney:
    en: tuple[str, str]  # title, description
    ru: tuple[str, str]
    persona: DemoPersona
    stages: list[DemoStage]
    status: str = Journey.Status.PUBLISHED
    # The to-be redesign: (stage index, step index) → new texts and emotion; removed steps; added steps.
    to_be_changes: dict[tuple[int, int], DemoStep] = field(default_factory=dict)
    to_be_removed: list[tuple[int, int]] = field(default_factory=list)
    to_be_added: list[tuple[int, int, DemoStep]] = field(default_factory=list)


ENTREPRENEUR = DemoPersona(
    en=(
        "Small business owner",
        "Runs a café or a workshop, 2–15 staff; does the banking personally, between other jobs.",
        "Open an account fast\nGet paid by cards from the first week\nNever stand in a queue",
        "Paper forms and branch visits\nA different answer from every operator\nFees found only on the statement",
        "Every hour at the bank is an hour my café is closed.",
    ),
    ru=(
        "Владелец малого бизнеса",
        "Кафе или мастерская, 2–15 сотрудников; банковскими делами занимается сам, между другими задачами.",
        "Быстро открыть счёт\nПринимать оплату картами с первой недели\nНе стоять в очередях",
        "Бумажные анкеты и визиты в отделение\nУ каждого оператора свой ответ\nКомиссии, о которых узнаёшь из выписки",
        "Каждый час в банке — это час, когда моё кафе закрыто.",
    ),
)
CARDHOLDER = DemoPersona(
    en=(
        "Everyday card customer",
        "Salary card, pays for almost everything by card or phone, uses the app daily.",
        "Money is safe\nIf something goes wrong, the bank sorts it out quickly\nSee every payment in the app at once",
        "Long waits on the phone\nRepeating the story to each new person\nNo news on a dispute for weeks",
        "I don't mind a problem. I mind not knowing when it will be fixed.",
    ),
    ru=(
        "Клиент с картой на каждый день",
        "Зарплатная карта, почти всё оплачивает картой или телефоном, пользуется приложением каждый день.",
        "Деньги в безопасности\nЕсли что-то пошло не так, банк быстро разберётся\n"
        "Сразу видеть каждый платёж в приложении",
        "Долгое ожидание на линии\nПересказывать историю каждому новому сотруднику\nНеделями нет новостей по спору",
        "Проблема — не беда. Беда — не знать, когда её решат.",
    ),
)
NEWCOMER = DemoPersona(
    en=(
        "New retail customer",
        "Came from an advert or a friend's recommendation; has not banked with us before.",
        "Get a card without visiting a branch\nStart using it the same week",
        "Not knowing where the card is\nA courier who calls at the wrong time",
        "Tell me what happens next and when, and I'll stay.",
    ),
    ru=(
        "Новый розничный клиент",
        "Пришёл по рекламе или по совету знакомых; раньше у нас не обслуживался.",
        "Получить карту, не приходя в отделение\nНачать пользоваться ею на этой же неделе",
        "Непонятно, где сейчас карта\nКурьер звонит в неудобное время",
        "Скажите, что будет дальше и когда, — и я останусь.",
    ),
)


OPEN_ACCOUNT = DemoJourney(
    en=(
        "Open a business account",
        "From choosing a bank to the first card payment received: the small-business onboarding as it is today.",
    ),
    ru=(
        "Открыть расчётный счёт",
        "От выбора банка до первой полученной оплаты картой: подключение малого бизнеса в том виде, как сейчас.",
    ),
    persona=ENTREPRENEUR,
    stages=[
        DemoStage(
            "Choose a bank",
            "Выбор банка",
            [
                DemoStep(
                    "website",
                    1,
                    (
                        "Compares business tariffs on the website",
                        "All fees on one page, in plain words",
                        "Tariff table is clear, but acquiring fees are in a separate PDF",
                    ),
                    (
                        "Сравнивает тарифы для бизнеса на сайте",
                        "Все комиссии на одной странице, простыми словами",
                        "Таблица тарифов понятная, но комиссии за эквайринг спрятаны в отдельном PDF",
                    ),
                ),
                DemoStep(
                    "review-sites",
                    0,
                    (
                        "Reads reviews from other entrepreneurs",
                        "Honest picture of how the bank treats small firms",
                        "Many complaints about accounts blocked under 115-FZ checks",
                    ),
                    (
                        "Читает отзывы других предпринимателей",
                        "Честная картина того, как банк относится к малому бизнесу",
                        "Много жалоб на блокировки счетов по 115-ФЗ",
                    ),
                ),
                DemoStep(
                    "cc-general",
                    -1,
                    (
                        "Calls to ask about opening remotely",
                        "An answer within a minute from someone who knows business products",
                        "Waited 9 minutes; the operator read out the website and transferred the call",
                    ),
                    (
                        "Звонит узнать про удалённое открытие",
                        "Ответ за минуту от сотрудника, который знает продукты для бизнеса",
                        "Ждал 9 минут; оператор зачитал текст с сайта и перевёл звонок",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Apply",
            "Заявка",
            [
                DemoStep(
                    "web-onboarding",
                    1,
                    (
                        "Fills in the online application",
                        "Ten minutes, company data filled in from the tax ID",
                        "Form prefills from the tax ID and takes about 12 minutes",
                    ),
                    (
                        "Заполняет онлайн-заявку",
                        "Десять минут, реквизиты подтягиваются по ИНН",
                        "Форма заполняется по ИНН, уходит около 12 минут",
                    ),
                ),
                DemoStep(
                    "web-onboarding",
                    -1,
                    (
                        "Uploads the charter and passport scans",
                        "Upload from the phone, any format",
                        "Only PDF under 5 MB; phone photos are rejected without saying why",
                    ),
                    (
                        "Загружает устав и скан паспорта",
                        "Загрузить с телефона, в любом формате",
                        "Только PDF до 5 МБ; фото с телефона отклоняются без объяснения причины",
                    ),
                ),
                DemoStep(
                    "sms-push",
                    0,
                    (
                        "Gets the application confirmation",
                        "A number and a clear date for the decision",
                        "SMS with a number, no date; “we will contact you”",
                    ),
                    (
                        "Получает подтверждение заявки",
                        "Номер и понятный срок решения",
                        "SMS с номером, без срока; «мы с вами свяжемся»",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Verification",
            "Проверка",
            [
                DemoStep(
                    "document-check",
                    -2,
                    (
                        "Waits for the document check",
                        "Decision the next working day",
                        "Four working days with no news; the status page says “in progress”",
                    ),
                    (
                        "Ждёт проверки документов",
                        "Решение на следующий рабочий день",
                        "Четыре рабочих дня без новостей; в статусе «на проверке»",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "cc-general",
                    -2,
                    (
                        "Calls to find out what is happening",
                        "The operator sees the application and names a date",
                        "The operator cannot see business applications; promises a callback that never comes",
                    ),
                    (
                        "Звонит узнать, что происходит",
                        "Оператор видит заявку и называет срок",
                        "Оператор не видит заявки бизнеса; обещает перезвонить, но не перезванивает",
                    ),
                ),
                DemoStep(
                    "support-email",
                    -1,
                    (
                        "Receives a request for one more document",
                        "All requirements known up front",
                        "A lease agreement is requested on day 4 — it was not on the list",
                    ),
                    (
                        "Получает запрос ещё одного документа",
                        "Все требования известны заранее",
                        "На четвёртый день запрашивают договор аренды — его не было в списке",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Sign and open",
            "Подписание и открытие",
            [
                DemoStep(
                    "branch-queue",
                    -1,
                    (
                        "Comes to the branch to sign",
                        "Booked time, seen within five minutes",
                        "The booking is not in the queue system; waits 35 minutes with retail customers",
                    ),
                    (
                        "Приходит в отделение подписать документы",
                        "Запись на время, приём в течение пяти минут",
                        "Записи нет в системе очереди; ждёт 35 минут вместе с розничными клиентами",
                    ),
                ),
                DemoStep(
                    "branch-consultation",
                    1,
                    (
                        "Signs the documents with the manager",
                        "Competent manager, everything ready",
                        "The manager is friendly and quick once the papers are printed",
                    ),
                    (
                        "Подписывает документы у менеджера",
                        "Компетентный менеджер, всё подготовлено",
                        "Менеджер доброжелательный и быстрый, когда документы распечатаны",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "internet-bank",
                    1,
                    (
                        "Gets access to the internet bank",
                        "Login works the same day",
                        "Login arrives by SMS within an hour",
                    ),
                    (
                        "Получает доступ в интернет-банк",
                        "Вход работает в тот же день",
                        "Логин приходит по SMS в течение часа",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Start working",
            "Начало работы",
            [
                DemoStep(
                    "internet-bank",
                    0,
                    (
                        "Sends the first payment to a supplier",
                        "A few clicks, the supplier found by tax ID",
                        "Works, but needs a separate confirmation code for every new payee",
                    ),
                    (
                        "Отправляет первый платёж поставщику",
                        "Несколько кликов, поставщик находится по ИНН",
                        "Работает, но на каждого нового получателя нужен отдельный код",
                    ),
                ),
                DemoStep(
                    "loan-manager",
                    -1,
                    (
                        "Orders a card terminal (acquiring)",
                        "Terminal installed within three days",
                        "A separate contract and a second visit; terminal arrives in eleven days",
                    ),
                    (
                        "Заказывает терминал для оплаты картами",
                        "Терминал установлен за три дня",
                        "Отдельный договор и второй визит; терминал привозят через одиннадцать дней",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "app-payments",
                    1,
                    (
                        "Receives the first card payment",
                        "Money on the account the next morning",
                        "Money arrives the next morning, with a clear statement line",
                    ),
                    (
                        "Получает первую оплату картой",
                        "Деньги на счёте на следующее утро",
                        "Деньги приходят утром, строка в выписке понятная",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Get help",
            "Поддержка",
            [
                DemoStep(
                    "app-chat",
                    -1,
                    (
                        "Asks in the chat why a payment is held",
                        "A person answers within ten minutes",
                        "A bot answers with links; a person only after an hour",
                    ),
                    (
                        "Спрашивает в чате, почему задержан платёж",
                        "Ответ живого сотрудника за десять минут",
                        "Бот отвечает ссылками; сотрудник — только через час",
                    ),
                ),
                DemoStep(
                    "complaint-callback",
                    0,
                    (
                        "Gets a callback about the complaint",
                        "Called back the same day with the outcome",
                        "Called back after two days; the payment was released meanwhile",
                    ),
                    (
                        "Получает обратный звонок по жалобе",
                        "Перезвонят в тот же день с результатом",
                        "Перезвонили через два дня; платёж к тому времени уже прошёл",
                    ),
                ),
            ],
        ),
    ],
    to_be_changes={
        (1, 1): DemoStep(
            "web-onboarding",
            1,
            (
                "Uploads the charter and passport photos",
                "Upload from the phone, any format",
                "Photos from the phone are accepted; a blurred one is flagged at once with the reason",
            ),
            (
                "Загружает устав и фото паспорта",
                "Загрузить с телефона, в любом формате",
                "Фото с телефона принимаются; нечёткое сразу помечается с причиной",
            ),
        ),
        (1, 2): DemoStep(
            "sms-push",
            1,
            (
                "Gets the application confirmation",
                "A number and a clear date for the decision",
                "SMS with a number, the list of documents and “decision by Thursday 18:00”",
            ),
            (
                "Получает подтверждение заявки",
                "Номер и понятный срок решения",
                "SMS с номером, списком документов и «решение до четверга, 18:00»",
            ),
        ),
        (2, 0): DemoStep(
            "document-check",
            1,
            (
                "Waits for the document check",
                "Decision the next working day",
                "Checked within one working day (service target: 90% in 1 day); status updates by push",
            ),
            (
                "Ждёт проверки документов",
                "Решение на следующий рабочий день",
                "Проверка за один рабочий день (цель: 90% за 1 день); статус приходит push-уведомлением",
            ),
            moment_of_truth=True,
        ),
        (3, 0): DemoStep(
            "branch-queue",
            1,
            (
                "Comes to the branch to sign",
                "Booked time, seen within five minutes",
                "Business bookings go to a separate queue; seen at the booked time",
            ),
            (
                "Приходит в отделение подписать документы",
                "Запись на время, приём в течение пяти минут",
                "Записи бизнеса идут в отдельную очередь; приём точно по времени",
            ),
        ),
        (4, 1): DemoStep(
            "loan-manager",
            1,
            (
                "Orders a card terminal (acquiring)",
                "Terminal installed within three days",
                "Acquiring is signed with the account; the terminal is delivered in three days",
            ),
            (
                "Заказывает терминал для оплаты картами",
                "Терминал установлен за три дня",
                "Эквайринг оформляется вместе со счётом; терминал привозят за три дня",
            ),
            moment_of_truth=True,
        ),
    },
    to_be_removed=[(2, 1)],  # with status updates, nobody has to call to ask
    to_be_added=[
        (
            2,
            1,
            DemoStep(
                "app-chat",
                1,
                (
                    "Asks the personal manager a question in the chat",
                    "Someone who knows the application",
                    "A named manager sees the application and answers within 15 minutes",
                ),
                (
                    "Задаёт вопрос персональному менеджеру в чате",
                    "Тот, кто видит заявку",
                    "Персональный менеджер видит заявку и отвечает за 15 минут",
                ),
            ),
        )
    ],
)


DISPUTE = DemoJourney(
    en=(
        "Dispute a card transaction",
        "A customer sees a charge they do not recognise and tries to get the money back.",
    ),
    ru=(
        "Оспорить операцию по карте",
        "Клиент видит списание, которого не совершал, и пытается вернуть деньги.",
    ),
    persona=CARDHOLDER,
    stages=[
        DemoStage(
            "Notice",
            "Обнаружение",
            [
                DemoStep(
                    "sms-push",
                    -1,
                    (
                        "Sees a push about an unknown charge",
                        "Merchant name that makes sense",
                        "“PAYPRO*SRV 7781” — impossible to tell what it was",
                    ),
                    (
                        "Видит push о незнакомом списании",
                        "Понятное название продавца",
                        "«PAYPRO*SRV 7781» — непонятно, что это было",
                    ),
                ),
                DemoStep(
                    "app-payments",
                    -1,
                    (
                        "Opens the transaction in the app",
                        "Details: merchant, place, map, how to dispute",
                        "Only amount and date; no “dispute” button",
                    ),
                    (
                        "Открывает операцию в приложении",
                        "Подробности: продавец, место, карта, как оспорить",
                        "Только сумма и дата; кнопки «оспорить» нет",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Protect the card",
            "Защита карты",
            [
                DemoStep(
                    "card-settings",
                    1,
                    (
                        "Blocks the card in the app",
                        "One tap, instantly",
                        "Blocked in two taps, confirmation comes at once",
                    ),
                    (
                        "Блокирует карту в приложении",
                        "Одно нажатие, мгновенно",
                        "Блокировка в два нажатия, подтверждение приходит сразу",
                    ),
                ),
                DemoStep(
                    "cc-card-block",
                    -1,
                    (
                        "Calls to make sure nothing else is charged",
                        "Quick answer, reassurance",
                        "IVR menu of 4 levels; 7 minutes to reach an operator",
                    ),
                    (
                        "Звонит убедиться, что больше ничего не спишут",
                        "Быстрый ответ, успокоят",
                        "Голосовое меню в 4 уровня; до оператора 7 минут",
                    ),
                ),
            ],
        ),
        DemoStage(
            "File the dispute",
            "Подача претензии",
            [
                DemoStep(
                    "cc-complaints",
                    -2,
                    (
                        "Asks the operator to dispute the charge",
                        "The operator registers the dispute on the call",
                        "Told that disputes are accepted only in writing or in a branch",
                    ),
                    (
                        "Просит оператора оспорить списание",
                        "Оператор оформляет претензию во время звонка",
                        "Говорят, что претензии принимаются только письменно или в отделении",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "card-dispute-form",
                    -1,
                    (
                        "Fills in the dispute form on the website",
                        "Form knows the transaction, asks only what is needed",
                        "Must retype card number, date, amount; asks for a scan of a signed statement",
                    ),
                    (
                        "Заполняет форму оспаривания на сайте",
                        "Форма знает операцию и спрашивает только нужное",
                        "Нужно заново вводить номер карты, дату, сумму; требуют скан подписанного заявления",
                    ),
                ),
                DemoStep(
                    "branch-consultation",
                    -1,
                    (
                        "Goes to a branch to sign the statement",
                        "No need to go anywhere",
                        "Half an hour in the branch; the statement is printed and signed on paper",
                    ),
                    (
                        "Идёт в отделение подписать заявление",
                        "Никуда не нужно ходить",
                        "Полчаса в отделении; заявление распечатывают и подписывают на бумаге",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Wait",
            "Ожидание",
            [
                DemoStep(
                    "support-email",
                    0,
                    (
                        "Receives the acknowledgement",
                        "Case number and a deadline",
                        "Case number; deadline “up to 60 days”",
                    ),
                    (
                        "Получает подтверждение приёма",
                        "Номер обращения и срок",
                        "Номер обращения; срок «до 60 дней»",
                    ),
                ),
                DemoStep(
                    "payment-investigation",
                    -2,
                    (
                        "Waits while the bank investigates",
                        "Updates as things move; money back within two weeks",
                        "No updates for 5 weeks; the money is still gone",
                    ),
                    (
                        "Ждёт, пока банк разбирается",
                        "Новости по ходу; деньги вернут за две недели",
                        "Пять недель без новостей; денег всё ещё нет",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "cc-general",
                    -2,
                    (
                        "Calls to ask about the case",
                        "The operator sees the case and its status",
                        "Each operator asks to explain everything again; no status visible",
                    ),
                    (
                        "Звонит узнать о ходе разбирательства",
                        "Оператор видит обращение и его статус",
                        "Каждый оператор просит рассказать всё заново; статуса не видно",
                    ),
                ),
                DemoStep(
                    "social-vk",
                    -2,
                    (
                        "Complains publicly in the bank's VK community",
                        "Someone takes the case and solves it",
                        "A template reply “write to us in private messages” after a day",
                    ),
                    (
                        "Жалуется публично в сообществе банка ВКонтакте",
                        "Кто-то возьмёт дело и решит",
                        "Шаблонный ответ «напишите нам в личные сообщения» через сутки",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Resolution",
            "Решение",
            [
                DemoStep(
                    "sms-push",
                    1,
                    (
                        "Gets the money back",
                        "Full refund with an explanation",
                        "Refund arrives on day 41, with an SMS and no explanation",
                    ),
                    (
                        "Получает деньги обратно",
                        "Полный возврат с объяснением",
                        "Возврат на 41-й день, SMS без объяснений",
                    ),
                ),
                DemoStep(
                    "card-courier",
                    0,
                    (
                        "Receives the replacement card",
                        "New card delivered within a few days",
                        "Delivered in 8 days; had to pay by a friend's card meanwhile",
                    ),
                    (
                        "Получает новую карту взамен заблокированной",
                        "Новую карту привезут за несколько дней",
                        "Привезли через 8 дней; всё это время платил картой знакомого",
                    ),
                ),
            ],
        ),
        DemoStage(
            "After",
            "После",
            [
                DemoStep(
                    "marketing-email",
                    -1,
                    (
                        "Receives a satisfaction survey",
                        "The bank wants to know what went wrong",
                        "A generic NPS e-mail that ignores the dispute",
                    ),
                    (
                        "Получает опрос об удовлетворённости",
                        "Банку интересно, что пошло не так",
                        "Общее письмо про NPS, о претензии ни слова",
                    ),
                ),
                DemoStep(
                    "review-sites",
                    -1,
                    (
                        "Tells friends about the experience",
                        "—",
                        "Writes a 2-star review: “got the money back, but it took six weeks”",
                    ),
                    (
                        "Рассказывает знакомым о своём опыте",
                        "—",
                        "Пишет отзыв на 2 звезды: «деньги вернули, но через шесть недель»",
                    ),
                ),
            ],
        ),
    ],
)


CARD_DELIVERY = DemoJourney(
    en=(
        "Order a card with delivery",
        "A new customer orders a debit card online and has it delivered by courier.",
    ),
    ru=(
        "Заказать карту с доставкой",
        "Новый клиент заказывает дебетовую карту онлайн и получает её с курьером.",
    ),
    persona=NEWCOMER,
    status=Journey.Status.DRAFT,
    stages=[
        DemoStage(
            "Get interested",
            "Интерес",
            [
                DemoStep(
                    "social-vk",
                    1,
                    (
                        "Sees an advert for cashback on groceries",
                        "A real offer without small print",
                        "5% cashback, with a cap mentioned in the footnote",
                    ),
                    (
                        "Видит рекламу кэшбэка на продукты",
                        "Настоящее предложение без мелкого шрифта",
                        "5% кэшбэка, лимит упомянут в сноске",
                    ),
                ),
                DemoStep(
                    "review-sites",
                    0,
                    (
                        "Checks reviews of the card",
                        "Mostly happy customers",
                        "Praise for the app, complaints about late couriers",
                    ),
                    (
                        "Смотрит отзывы о карте",
                        "В основном довольные клиенты",
                        "Хвалят приложение, жалуются на опоздания курьеров",
                    ),
                ),
                DemoStep(
                    "website",
                    1,
                    (
                        "Reads the card conditions",
                        "Free servicing, conditions on one screen",
                        "Free with spending over 10,000 ₽ a month — clearly stated",
                    ),
                    (
                        "Читает условия по карте",
                        "Бесплатное обслуживание, условия на одном экране",
                        "Бесплатно при тратах от 10 000 ₽ в месяц — написано понятно",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Order",
            "Оформление",
            [
                DemoStep(
                    "web-onboarding",
                    1,
                    (
                        "Fills in the card application",
                        "Five minutes, from the phone",
                        "Four minutes; passport data typed in by hand",
                    ),
                    (
                        "Заполняет заявку на карту",
                        "Пять минут, с телефона",
                        "Четыре минуты; паспортные данные вводятся вручную",
                    ),
                ),
                DemoStep(
                    "sms-push",
                    0,
                    (
                        "Confirms the phone number",
                        "Code arrives at once",
                        "Code arrives after a minute; a second request is blocked for 5 minutes",
                    ),
                    (
                        "Подтверждает номер телефона",
                        "Код приходит сразу",
                        "Код приходит через минуту; повторный запрос заблокирован на 5 минут",
                    ),
                ),
                DemoStep(
                    "cc-general",
                    -1,
                    (
                        "Gets a call to agree the delivery",
                        "Pick a time slot in the app",
                        "A call from an unknown number during work; slots only by phone",
                    ),
                    (
                        "Получает звонок для согласования доставки",
                        "Выбрать время в приложении",
                        "Звонок с незнакомого номера в рабочее время; время — только по телефону",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Delivery",
            "Доставка",
            [
                DemoStep(
                    "sms-push",
                    0,
                    (
                        "Waits for the delivery day",
                        "Reminder with the courier's time window",
                        "Reminder the evening before; window 10:00–18:00",
                    ),
                    (
                        "Ждёт дня доставки",
                        "Напоминание с окном прибытия курьера",
                        "Напоминание накануне вечером; окно с 10:00 до 18:00",
                    ),
                ),
                DemoStep(
                    "card-courier",
                    -2,
                    (
                        "Waits for the courier",
                        "Courier on time, or a warning if late",
                        "Courier 3 hours late, no call; the customer left work early for nothing",
                    ),
                    (
                        "Ждёт курьера",
                        "Курьер вовремя или предупредит об опоздании",
                        "Курьер опоздал на 3 часа без звонка; клиент зря ушёл с работы пораньше",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "card-courier",
                    0,
                    (
                        "Signs the contract with the courier",
                        "Quick, courier explains the key terms",
                        "Courier hurries; 12 pages to sign without explanation",
                    ),
                    (
                        "Подписывает договор у курьера",
                        "Быстро, курьер объяснит главное",
                        "Курьер торопится; 12 страниц подписать без объяснений",
                    ),
                ),
            ],
        ),
        DemoStage(
            "Activate",
            "Активация",
            [
                DemoStep(
                    "app-onboarding",
                    -1,
                    (
                        "Installs the app and logs in",
                        "Log in with the card and phone number",
                        "Asks for a code word the customer was never given",
                    ),
                    (
                        "Устанавливает приложение и входит",
                        "Вход по карте и номеру телефона",
                        "Приложение спрашивает кодовое слово, которого клиенту не сообщали",
                    ),
                ),
                DemoStep(
                    "messenger-bot",
                    0,
                    (
                        "Asks the Telegram bot how to log in",
                        "Clear instruction",
                        "Bot offers to call the contact centre",
                    ),
                    (
                        "Спрашивает бота в Telegram, как войти",
                        "Понятная инструкция",
                        "Бот предлагает позвонить в контакт-центр",
                    ),
                ),
                DemoStep(
                    "card-settings",
                    1,
                    (
                        "Sets the PIN in the app",
                        "Set a PIN without going to an ATM",
                        "PIN set in the app in a minute",
                    ),
                    (
                        "Устанавливает ПИН-код в приложении",
                        "Установить ПИН без банкомата",
                        "ПИН установлен в приложении за минуту",
                    ),
                ),
            ],
        ),
        DemoStage(
            "First use",
            "Первые покупки",
            [
                DemoStep(
                    "app-payments",
                    2,
                    (
                        "Pays in a shop with the phone",
                        "Works at once",
                        "Card added to the phone wallet and works at once",
                    ),
                    (
                        "Расплачивается телефоном в магазине",
                        "Сразу работает",
                        "Карта добавлена в кошелёк телефона и сразу работает",
                    ),
                    moment_of_truth=True,
                ),
                DemoStep(
                    "atm-network",
                    0,
                    (
                        "Withdraws cash for the first time",
                        "An ATM nearby, no fee",
                        "Nearest own ATM is 2 km away; partners charge a fee",
                    ),
                    (
                        "Впервые снимает наличные",
                        "Банкомат рядом, без комиссии",
                        "Ближайший свой банкомат в 2 км; у партнёров комиссия",
                    ),
                ),
                DemoStep(
                    "sms-push",
                    1,
                    (
                        "Gets the first cashback",
                        "Cashback on the promised date",
                        "Cashback credited on the 5th with a friendly push",
                    ),
                    (
                        "Получает первый кэшбэк",
                        "Кэшбэк в обещанный день",
                        "Кэшбэк начислен 5-го числа, с дружелюбным push-уведомлением",
                    ),
                ),
            ],
        ),
    ],
)

DEMO_JOURNEYS = [OPEN_ACCOUNT, DISPUTE, CARD_DELIVERY]


def _texts(step: DemoStep, language: str) -> dict[str, str]:
    action, expectation, reality = step.ru if language == "ru" else step.en
    return {"action": action, "expectation": expectation, "reality": reality}


@transaction.atomic
def load_journeys(*, language: str, actor: AbstractBaseUser) -> int:
    """Create the demo journeys once; a journey whose title exists (in either language) is left as it is."""
    touchpoints = {touchpoint.code: touchpoint for touchpoint in Touchpoint.objects.all()}
    created = 0
    first: Journey | None = None
    for demo in DEMO_JOURNEYS:
        if Journey.objects.filter(title__in=[demo.en[0], demo.ru[0]]).exists():
            continue
        title, description = demo.ru if language == "ru" else demo.en
        name, persona_description, goals, frustrations, quote = demo.persona.ru if language == "ru" else demo.persona.en
        persona = persona_upsert(
            name=name, description=persona_description, goals=goals, frustrations=frustrations, quote=quote
        )
        journey = journey_create(title=title, actor=actor, persona=persona, description=description, status=demo.status)
        first = first or journey
        for demo_stage in demo.stages:
            stage = stage_add(
                journey_id=journey.pk, name=demo_stage.ru if language == "ru" else demo_stage.en, actor=actor
            )
            for demo_step in demo_stage.steps:
                step_add(
                    stage_id=stage.pk,
                    actor=actor,
                    touchpoint=touchpoints[demo_step.touchpoint],
                    emotion=demo_step.emotion,
                    is_moment_of_truth=demo_step.moment_of_truth,
                    **_texts(demo_step, language),
                )
        created += 1
        if demo.to_be_changes or demo.to_be_removed or demo.to_be_added:
            _load_to_be(journey, demo, language, actor, touchpoints)
            created += 1
    if first is not None:
        _load_comments(first, language, actor)
        # The demo's past: the first map is reviewed monthly and was last checked six weeks ago, so the
        # journey list and the weekly digest have something due.
        Journey.objects.filter(pk=first.pk).update(
            review_cadence=Journey.Cadence.MONTHLY, reviewed_at=timezone.now() - timedelta(weeks=6), reviewed_by=actor
        )
    return created


def _load_to_be(
    as_is: Journey, demo: DemoJourney, language: str, actor: AbstractBaseUser, touchpoints: dict[str, Touchpoint]
) -> None:
    to_be = journey_duplicate(journey_id=as_is.pk, actor=actor, as_to_be=True)
    stages = list(Stage.objects.filter(journey=to_be).order_by("position"))
    steps = {
        (stage_index, step.position): step
        for stage_index, stage in enumerate(stages)
        for step in Step.objects.filter(stage=stage)
    }
    for (stage_index, step_index), change in demo.to_be_changes.items():
        step = steps[(stage_index, step_index)]
        step_update(
            step_id=step.pk,
            expected_version=step.version,
            actor=actor,
            touchpoint=touchpoints[change.touchpoint],
            emotion=change.emotion,
            is_moment_of_truth=change.moment_of_truth,
            **_texts(change, language),
        )
    for stage_index, step_index in demo.to_be_removed:
        step = steps[(stage_index, step_index)]
        step_delete(step_id=step.pk, expected_version=Step.objects.get(pk=step.pk).version, actor=actor)
    for stage_index, position, added in demo.to_be_added:
        step_add(
            stage_id=stages[stage_index].pk,
            actor=actor,
            position=position,
            touchpoint=touchpoints[added.touchpoint],
            emotion=added.emotion,
            is_moment_of_truth=added.moment_of_truth,
            **_texts(added, language),
        )


DEMO_COMMENTS = {
    "en": (
        "@head-contact-centre could the general line put business callers straight through to the business desk?",
        "Yes, from next month: four operators are being trained for it.",
        "Which of these steps loses us the most applicants?",
        "The document upload: most drop-outs happen there (see its barrier).",
    ),
    "ru": (
        "@head-contact-centre можно ли с общей линии сразу переводить бизнес-клиентов на бизнес-линию?",
        "Да, со следующего месяца: обучаем четырёх операторов.",
        "На каком шаге мы теряем больше всего заявителей?",
        "На загрузке документов: там отваливается больше всего (см. барьер).",
    ),
}


def _load_comments(journey: Journey, language: str, actor: AbstractBaseUser) -> None:
    """Two conversations on the first map: one open on a step (a mention and a reply), one settled."""
    from django.contrib.auth import get_user_model

    from .services import comment_reply, thread_resolve, thread_start

    people = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["head-contact-centre", "executive"])
    }
    step = Step.objects.filter(stage__journey=journey).order_by("stage__position", "position")[2:3].first()
    head, executive = people.get("head-contact-centre"), people.get("executive")
    if step is None or head is None or executive is None:
        return
    ask, answer, question, reply = DEMO_COMMENTS["ru" if language == "ru" else "en"]
    thread = thread_start(journey_id=journey.pk, step_id=step.pk, actor=actor, text=ask)
    comment_reply(thread_id=thread.pk, actor=head, text=answer)
    settled = thread_start(journey_id=journey.pk, actor=executive, text=question)
    comment_reply(thread_id=settled.pk, actor=actor, text=reply)
    thread_resolve(thread_id=settled.pk, actor=actor)
